/**
 * Can this runtime put two listeners on one port with reusePort? Asked by
 * trying (never by version tables), with the same module the units will use,
 * because runtimes differ between them: Bun's node:http answers EADDRINUSE
 * while its node:net may not; Node 20 ignores the option.
 */
import http from 'node:http';
import net from 'node:net';
import { UnsupportedError } from './types.ts';

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, reusePort: true } as net.ListenOptions, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

export async function requireReusePort(host: string, protocol: 'http' | 'tcp'): Promise<void> {
  const make = (): net.Server => (protocol === 'http' ? http.createServer() : net.createServer());
  const first = make();
  const second = make();
  try {
    const port = await listen(first, host, 0);
    await listen(second, host, port);
  } catch (error) {
    const code =
      (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    throw new UnsupportedError(
      'reusePort',
      `a second ${protocol === 'http' ? 'node:http' : 'node:net'} listener on the same port failed with ${code}`,
    );
  } finally {
    first.close();
    second.close();
  }
}

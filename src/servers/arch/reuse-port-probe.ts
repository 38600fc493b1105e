/**
 * Can this runtime put two listeners on one port with reusePort? Asked by
 * trying (never by version tables): Node 24 and Deno can, Bun's node:net
 * answers EADDRINUSE, Node 20 ignores the option. Same answer for processes
 * and threads, because both go through the same socket options.
 */
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

export async function requireReusePort(host: string): Promise<void> {
  const first = net.createServer();
  const second = net.createServer();
  try {
    const port = await listen(first, host, 0);
    await listen(second, host, port);
  } catch (error) {
    const code =
      (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    throw new UnsupportedError('reusePort', `a second listener on the same port failed with ${code}`);
  } finally {
    first.close();
    second.close();
  }
}

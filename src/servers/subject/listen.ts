/**
 * A node:net (or node:http) server listening on a unit's address, and its
 * bounded close: stop accepting, let requests in flight finish within the
 * grace, then drop what is left. Shared by the built-in contract's units and
 * app units, so both stop the same way.
 */
import type net from 'node:net';

export interface ListeningServer {
  /** The address bound, as the system reports it (an IPv6 host stays IPv6). */
  host: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish within graceMs, then destroys the remaining sockets. */
  close(graceMs: number): Promise<void>;
}

export function listenOn(
  server: net.Server,
  host: string,
  port: number,
  reusePort: boolean,
): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    const options: net.ListenOptions & { reusePort?: boolean } = { host, port };
    if (reusePort) options.reusePort = true;
    server.listen(options, () => {
      server.off('error', onError);
      resolve(closable(server, host, port));
    });
  });
}

function closable(server: net.Server, host: string, port: number): ListeningServer {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const address = server.address();
  return {
    host: typeof address === 'object' && address ? address.address : host,
    port: typeof address === 'object' && address ? address.port : port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

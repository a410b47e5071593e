import net from 'node:net';

/** A port nothing listens on (right now). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

/** Forwards every connection on `port` to `target`; the way to "open the server" mid-test. */
export async function startProxy(port: number, target: { host: string; port: number }): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return listen(server, port, sockets);
}

/** Accepts connections and never answers: a hung server. */
export async function startSilentServer(): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return listen(server, 0, sockets);
}

async function listen(server: net.Server, port: number, sockets: Set<net.Socket>): Promise<TcpServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Host and port of a postgres URL. */
export function hostAndPort(connectionString: string): { host: string; port: number } {
  const url = new URL(connectionString);
  return { host: url.hostname, port: Number(url.port || 5432) };
}

/** The same URL with another port (and host 127.0.0.1). */
export function withPort(connectionString: string, port: number): string {
  const url = new URL(connectionString);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

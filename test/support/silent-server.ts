import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * A TCP server that accepts connections and never answers: what a hung Keystone or Ironic
 * looks like to a client. It counts the requests sent to it (connections that sent anything:
 * after an aborted request undici opens a spare connection that never carries one).
 */
export class SilentServer {
  requests = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('data', () => this.requests++);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server) await new Promise((resolve) => this.server!.close(resolve));
  }
}

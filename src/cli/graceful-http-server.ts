import { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { acceptQueueLength } from './accept-queue';

/** A starved process accepts slowly; past this the listener closes whatever still waits. */
const ACCEPT_QUEUE_WAIT_MS = 5000;
const ACCEPT_QUEUE_POLL_MS = 20;

/**
 * Shuts an HTTP(S) server down without resetting a connection a client is using:
 *
 * 1. every answer from now on, and every answer still being prepared, carries
 *    `Connection: close`, so its connection ends after it;
 * 2. the listening socket closes once the kernel holds no connection the process has not
 *    accepted yet (closing it would reset those, requests already sent), so no new connection
 *    is accepted;
 * 3. idle keep-alive connections are left to the server's keep-alive timeout, which the client was
 *    told in its `Keep-Alive: timeout=…` header: a request a client sends on one in the meantime
 *    is answered (with `Connection: close`) instead of meeting a closed socket, as it would if
 *    they were cut at once (which `http.Server.close()` does first of all); a connection that
 *    never carried a request gets the same time, then is closed;
 * 4. whatever is still open when the grace period ends is cut.
 */
export class GracefulHttpServer {
  private draining = false;
  private readonly unanswered = new Set<ServerResponse>();
  /** Connections that have not sent a request yet: no keep-alive timer of Node's covers them. */
  private readonly unused = new Set<Socket>();

  constructor(private readonly server: HttpServer) {
    // An HTTPS request's socket is the TLS one, which 'secureConnection' gives.
    const connectionEvent = server instanceof TlsServer ? 'secureConnection' : 'connection';
    server.on(connectionEvent, (socket: Socket) => {
      this.unused.add(socket);
      socket.once('close', () => this.unused.delete(socket));
    });
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      this.unused.delete(req.socket);
      if (this.draining) res.setHeader('Connection', 'close');
      this.unanswered.add(res);
      res.once('close', () => this.unanswered.delete(res));
    });
  }

  /** Resolves once every connection has ended; after `graceMs` (0: no limit) the rest are cut. */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    for (const res of this.unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
    const cut = graceMs > 0 ? setTimeout(() => this.server.closeAllConnections(), graceMs) : undefined;
    if (this.server.listening) await this.acceptWhatWaits();
    const unused = setTimeout(() => this.unused.forEach((socket) => socket.destroy()), this.server.keepAliveTimeout);
    await new Promise<void>((resolve) =>
      // net.Server's close: stop listening and wait for the connections, without http.Server's
      // immediate sweep of idle ones.
      NetServer.prototype.close.call(this.server, () => resolve()),
    );
    clearTimeout(cut);
    clearTimeout(unused);
  }

  private async acceptWhatWaits(): Promise<void> {
    const { port } = this.server.address() as AddressInfo;
    const until = Date.now() + ACCEPT_QUEUE_WAIT_MS;
    while ((acceptQueueLength(port) ?? 0) > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, ACCEPT_QUEUE_POLL_MS));
    }
  }
}

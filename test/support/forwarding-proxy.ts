import { readFileSync } from 'node:fs';
import { Agent, createServer as createHttpServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** `performance.now()` when the request arrived, and when its answer was sent (if it was). */
  readonly receivedAt: number;
  answeredAt?: number;
}

export interface ProxyTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** Require a client certificate signed by this CA. */
  readonly clientCaFile?: string;
}

/**
 * A pass-through proxy in front of a real service (Keystone, Ironic): plain HTTP, or a TLS
 * terminator with the test's own certificates. It records every request it forwards, so a test
 * can count on the server side what esi-leap asked for.
 */
export class ForwardingProxy {
  readonly requests: SeenRequest[] = [];
  /** Client connections open now, and the most open at once since the last `resetPeak()`. */
  openConnections = 0;
  peakConnections = 0;
  private server: Server | null = null;
  // No keep-alive upstream: an idle socket would hold one of Keystone's uwsgi threads.
  private readonly upstream = new Agent({ keepAlive: false });

  constructor(
    private readonly target: string,
    private readonly tls?: ProxyTls,
  ) {}

  /** Listens on a free loopback port; returns the proxy's base URL. */
  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.forward(req, res);
    this.server = this.tls
      ? createHttpsServer(
          {
            cert: readFileSync(this.tls.certFile),
            key: readFileSync(this.tls.keyFile),
            ...(this.tls.clientCaFile
              ? { ca: readFileSync(this.tls.clientCaFile), requestCert: true, rejectUnauthorized: true }
              : {}),
          },
          handler,
        )
      : createHttpServer(handler);
    this.server.on('connection', (socket: Socket) => {
      this.peakConnections = Math.max(this.peakConnections, ++this.openConnections);
      socket.on('close', () => this.openConnections--);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  resetPeak(): void {
    this.peakConnections = this.openConnections;
  }

  /** Requests seen whose method is `method` and whose path (query included) matches `path`. */
  seen(method: string, path: RegExp): SeenRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    this.upstream.destroy();
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      receivedAt: performance.now(),
    };
    this.requests.push(seen);
    res.on('finish', () => (seen.answeredAt = performance.now()));
    const target = new URL(path, this.target);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host }, agent: this.upstream },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
    req.pipe(upstream);
  }
}

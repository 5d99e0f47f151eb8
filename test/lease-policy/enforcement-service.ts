import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedCall {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: any;
}

/** What the service does with a call: answer with a status (and body), answer late, or hang up. */
export type Reply =
  { readonly status: number; readonly body?: string; readonly delayMs?: number } | { readonly hangUp: true };

/**
 * A usage-enforcement service speaking Blazar's ExternalServiceFilter protocol, on a free
 * loopback port: it records every call and answers as `decide` says (204 by default).
 */
export class EnforcementService {
  readonly received: ReceivedCall[] = [];
  decide: (call: ReceivedCall) => Reply = () => ({ status: 204 });
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        const call = { path: req.url ?? '', headers: req.headers, body: JSON.parse(text || 'null') };
        this.received.push(call);
        const reply = this.decide(call);
        if ('hangUp' in reply) {
          req.socket.destroy();
          return;
        }
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(reply.status, reply.body ? { 'Content-Type': 'application/json' } : {});
          res.end(reply.body);
        }, reply.delayMs ?? 0);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The calls to one endpoint (`/…/check-create`), in order. */
  callsTo(endpoint: string): ReceivedCall[] {
    return this.received.filter((c) => c.path.endsWith(`/${endpoint}`));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

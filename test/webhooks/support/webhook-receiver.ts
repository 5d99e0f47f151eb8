import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

export interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** What the receiver answers on a path; the default is 200 "ok". `hang`: never answer. */
export type Answer = (request: ReceivedDelivery, count: number) => Reply | 'hang';

/**
 * A real HTTP server standing in for a tenant's webhook endpoint, on a loopback port: it keeps
 * every request it gets and answers as told per path.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  private readonly answers = new Map<string, Answer>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const delivery = {
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.received.push(delivery);
        const count = this.received.filter((r) => r.path === delivery.path).length;
        const answer = (this.answers.get(delivery.path) ?? ((): Reply => ({ status: 200, body: 'ok' })))(
          delivery,
          count,
        );
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  on(path: string, answer: Answer): void {
    this.answers.set(path, answer);
  }

  at(path: string): ReceivedDelivery[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
}

/**
 * The receiver-side check of docs/lease-lifecycle.md ("Verifying a delivery"), written
 * independently of the service's signing code: HMAC-SHA256 of "<t>.<body>" under the secret,
 * compared in constant time, and a timestamp no older than `toleranceSeconds`.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return (
    given.length === expected.length &&
    timingSafeEqual(given, expected) &&
    Math.abs(nowSeconds - Number(parts.t)) <= toleranceSeconds
  );
}

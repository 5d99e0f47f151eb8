import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
}

/**
 * A pass-through proxy in front of the real Ironic, so a test can make exactly one call fail
 * mid-sequence (the rest is Ironic's own behaviour), and can count what esi-leap asked for.
 */
export class IronicFaultProxy {
  readonly requests: { method: string; path: string }[] = [];
  private readonly faults: Fault[] = [];
  private server: Server | null = null;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.forward(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(502);
          res.end(String(err));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next request matching method and path is answered with `status` instead of reaching Ironic. */
  failNext(method: string, path: RegExp, status = 500): void {
    this.faults.push({ method, path, status });
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise((resolve) => this.server!.close(resolve));
  }

  private async forward(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    this.requests.push({ method, path });
    const fault = this.faults.findIndex((f) => f.method === method && f.path.test(path));
    if (fault >= 0) {
      const { status } = this.faults.splice(fault, 1)[0];
      const error = JSON.stringify({ faultcode: 'Server', faultstring: 'injected by the test', debuginfo: null });
      return {
        status,
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify({ error_message: error })),
      };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const response = await fetch(`${this.target}${path}`, {
      method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
    });
    return { status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) };
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, STATUS_CODES } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { Clock } from '../common/clock';
import { toEpochSeconds } from '../common/time';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { ConsoleEndpoint } from '../drivers/resource-driver';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';
import { ConsoleAuthTokensRepository } from './tokens/console-auth-tokens.repository';
import { hashConsoleToken } from './tokens/console-token';
import { CLOSE_GOING_AWAY, ConsoleSession, relayConsole } from './console-relay';

/** How long the proxy waits for a node's console port to accept. */
const CONSOLE_CONNECT_TIMEOUT_MS = 10_000;
/** Serial input is keystrokes; anything near this is not a console client. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Why a websocket was refused, as the HTTP answer to its upgrade request. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The serial console websocket proxy (`--role=console-proxy`; docs/console.md).
 * A client opens `ws(s)://…/?token=<token>`; the token is checked and used up before the
 * upgrade completes, so a bad, expired or used token gets a plain HTTP 401 and never a socket.
 * The node's console (raw TCP, e.g. Ironic's socat) is reached through the resource driver.
 */
@Injectable()
export class ConsoleProxyServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('esi-leap.console');
  // websockify picks the `binary` sub-protocol when offered; noVNC-style clients rely on it.
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });
  private readonly sessions = new Set<ConsoleSession>();
  private server: Server | null = null;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly tokens: ConsoleAuthTokensRepository,
    private readonly drivers: ResourceDriverRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host_address: host, port } = this.config.serialconsoleproxy;
    const address = await this.listen(host, port);
    this.logger.log(`serial console proxy listening on ${address.address}:${address.port}`);
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'Upgrade' });
      res.end('This is a websocket endpoint for serial consoles.\n');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(req, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  /** Stops accepting and ends every open session. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const session of this.sessions) session.end(CLOSE_GOING_AWAY, 'Console proxy shutting down');
    await Promise.all([...this.sessions].map((s) => s.closed));
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const peer = req.socket.remoteAddress ?? 'unknown';
    let tcp: Socket | undefined;
    try {
      if (!this.originAllowed(req.headers.origin)) throw new Refusal(403, 'Origin not allowed');
      if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) {
        throw new Refusal(400, 'Not a websocket handshake');
      }
      const nodeUuid = await this.redeemToken(req.url);
      const endpoint = await this.consoleEndpoint(nodeUuid);
      tcp = await connectToConsole(endpoint, nodeUuid);
      if (!this.server) throw new Refusal(503, 'Console proxy shutting down');
      const target = tcp;
      // If the handshake fails from here on, the console connection must not linger.
      socket.once('close', () => target.destroy());
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const session = relayConsole(ws, target, this.config.serialconsoleproxy.timeout * 1000);
        this.sessions.add(session);
        this.logger.log(`console session for node ${nodeUuid} opened from ${peer}`);
        void session.closed.then(() => {
          this.sessions.delete(session);
          this.logger.log(`console session for node ${nodeUuid} closed`);
        });
      });
    } catch (err) {
      tcp?.destroy();
      const refusal = err instanceof Refusal ? err : new Refusal(500, 'Console proxy error');
      if (!(err instanceof Refusal)) this.logger.error(`console upgrade from ${peer} failed: ${String(err)}`);
      else this.logger.log(`console websocket from ${peer} refused: ${refusal.message}`);
      refuse(socket, refusal);
    }
  }

  /** An Origin allow-list guards browsers against cross-site use; clients sending no Origin are not browsers. */
  private originAllowed(origin: string | undefined): boolean {
    const allowed = this.config.serialconsoleproxy.allowed_origins;
    if (allowed.length === 0 || origin === undefined) return true;
    const normal = (o: string) => o.trim().replace(/\/+$/, '').toLowerCase();
    return allowed.some((a) => normal(a) === normal(origin));
  }

  /** Upstream reads the last `token` query parameter, on any path. */
  private async redeemToken(url: string | undefined): Promise<string> {
    const token = new URL(url ?? '/', 'ws://proxy').searchParams.getAll('token').pop();
    if (!token) throw new Refusal(401, 'Missing console token');
    const redemption = await this.tokens.redeem(hashConsoleToken(token), toEpochSeconds(this.clock.now()));
    if (redemption.kind !== 'redeemed') {
      throw new Refusal(
        401,
        redemption.kind === 'expired' ? 'Console token expired' : 'Console token unknown or already used',
      );
    }
    return redemption.nodeUuid;
  }

  private async consoleEndpoint(nodeUuid: string): Promise<ConsoleEndpoint> {
    const driver = this.drivers.find(this.config.api.default_resource_type);
    const endpoint = driver?.consoleEndpoint ? await driver.consoleEndpoint(nodeUuid) : null;
    if (!endpoint) throw new Refusal(409, `Console of node ${nodeUuid} is not enabled`);
    return endpoint;
  }
}

function connectToConsole(endpoint: ConsoleEndpoint, nodeUuid: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const tcp = connect({ host: endpoint.host, port: endpoint.port, timeout: CONSOLE_CONNECT_TIMEOUT_MS });
    const fail = () => {
      tcp.destroy();
      reject(new Refusal(502, `Console of node ${nodeUuid} is unreachable`));
    };
    tcp.once('error', fail);
    tcp.once('timeout', fail);
    tcp.once('connect', () => {
      tcp.off('error', fail);
      tcp.off('timeout', fail);
      tcp.setTimeout(0);
      tcp.setNoDelay(true);
      resolve(tcp);
    });
  });
}

/** Answers the upgrade request with a plain HTTP error and drops the connection. */
function refuse(socket: Duplex, refusal: Refusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${refusal.message}\n`;
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

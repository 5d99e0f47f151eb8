import { once } from 'node:events';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { WebSocket } from 'ws';
import { Clock } from '../../src/common/clock';
import { ESI_LEAP_CONFIG } from '../../src/config/config.module';
import { EsiLeapConfig } from '../../src/config/esi-leap-config';
import { ConsoleAuthTokensRepository } from '../../src/console/tokens/console-auth-tokens.repository';
import { ConsoleProxyServer } from '../../src/console/console-proxy.server';
import { ConsoleAuthTokenEntity } from '../../src/console/tokens/console-auth-token.entity';
import { LeaseLifecycle } from '../../src/leasing/lifecycle/lease-lifecycle';
import { LeasesRepository } from '../../src/leasing/data/leases.repository';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { ManagerMetrics } from '../../src/manager/manager-metrics';
import { LeaseReminders } from '../../src/notifications/reminders/lease-reminders';
import { ResourceDriverRegistry } from '../../src/drivers/resource-driver.registry';
import { OffersRepository } from '../../src/leasing/data/offers.repository';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

interface Frame {
  data: Buffer;
  isBinary: boolean;
}

/** What a websocket attempt came to: an open socket, or the HTTP answer that refused it. */
type Attempt = { ws: WebSocket; next: () => Promise<Frame> } | { status: number; body: string };

function attempt(url: string, headers: Record<string, string> = {}): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary'], { headers });
    // Frames are queued from the start: the console's greeting may arrive with the handshake.
    const frames: Frame[] = [];
    const waiting: Array<(frame: Frame) => void> = [];
    ws.on('message', (data: Buffer, isBinary) => {
      const frame = { data, isBinary };
      const waiter = waiting.shift();
      if (waiter) waiter(frame);
      else frames.push(frame);
    });
    const next = () => {
      const frame = frames.shift();
      return frame ? Promise.resolve(frame) : new Promise<Frame>((r) => waiting.push(r));
    };
    ws.once('open', () => resolve({ ws, next }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

jest.setTimeout(20_000);

describe('serial console proxy against a real TCP console', () => {
  let t: TestApp;
  let consoleServer: Server;
  const consoleSockets = new Set<Socket>();
  const proxies: ConsoleProxyServer[] = [];
  let proxyUrl: string;

  const rows = () => t.dataSource.getRepository(ConsoleAuthTokenEntity).find();

  /** A proxy on a free loopback port, with `[serialconsoleproxy]` overrides. */
  async function startProxy(overrides: Partial<EsiLeapConfig['serialconsoleproxy']> = {}): Promise<string> {
    const base = t.app.get<EsiLeapConfig>(ESI_LEAP_CONFIG);
    const config = { ...base, serialconsoleproxy: { ...base.serialconsoleproxy, ...overrides } } as EsiLeapConfig;
    const proxy = new ConsoleProxyServer(
      config,
      t.app.get(Clock),
      new ConsoleAuthTokensRepository(t.dataSource),
      t.app.get(ResourceDriverRegistry, { strict: false }),
    );
    proxies.push(proxy);
    const { port } = await proxy.listen('127.0.0.1', 0);
    return `ws://127.0.0.1:${port}`;
  }

  async function newToken(node = 'con-1'): Promise<string> {
    const res = await t.as('owner').post('/v1/console_auth_tokens').send({ node_uuid_or_name: node });
    expect(res.status).toBe(201);
    return res.body.token as string;
  }

  beforeAll(async () => {
    t = await createTestApp();
    // The "serial console": greets, then echoes every byte back.
    consoleServer = createServer((socket) => {
      consoleSockets.add(socket);
      socket.on('close', () => consoleSockets.delete(socket));
      socket.write(Buffer.from('login: '));
      socket.pipe(socket);
    });
    consoleServer.listen(0, '127.0.0.1');
    await once(consoleServer, 'listening');
    const { port } = consoleServer.address() as AddressInfo;
    t.nodes.add('con-1', { owner: P.owner, console: { host: '127.0.0.1', port } });
    t.nodes.add('con-2', { owner: P.owner, console: { host: '127.0.0.1', port } });
    t.nodes.add('no-console', { owner: P.owner });
    proxyUrl = await startProxy();
  });

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    consoleServer.close();
    await t.close();
  });

  it('relays bytes both ways in binary frames; the token is used up on connect', async () => {
    const token = await newToken();
    const opened = await attempt(`${proxyUrl}/?token=${token}`);
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status} ${opened.body}`);
    const { ws, next } = opened;
    expect(ws.protocol).toBe('binary');
    const greeting = await next();
    expect(greeting).toEqual({ data: Buffer.from('login: '), isBinary: true });

    const bytes = Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x41, 0x0d]);
    ws.send(bytes);
    expect(await next()).toEqual({ data: bytes, isBinary: true });
    expect(await rows()).toEqual([]);

    const reused = await attempt(`${proxyUrl}/?token=${token}`);
    expect(reused).toEqual({ status: 401, body: 'Console token unknown or already used\n' });

    const closed = once(ws, 'close');
    ws.close();
    await closed;
    await waitFor(() => consoleSockets.size === 0);
  });

  it('a console that closes closes the websocket', async () => {
    const opened = await attempt(`${proxyUrl}/?token=${await newToken()}`);
    if (!('ws' in opened)) throw new Error('refused');
    await opened.next();
    const closed = once(opened.ws, 'close');
    for (const socket of consoleSockets) socket.destroy();
    const [code, reason] = await closed;
    expect(code).toBe(1000);
    expect(String(reason)).toBe('Console closed');
  });

  it('refuses unknown, missing and expired tokens with 401; expired rows are removed', async () => {
    expect(await attempt(`${proxyUrl}/?token=00000000-0000-4000-8000-000000000000`)).toEqual({
      status: 401,
      body: 'Console token unknown or already used\n',
    });
    expect(await attempt(`${proxyUrl}/`)).toEqual({ status: 401, body: 'Missing console token\n' });

    const token = await newToken();
    await t.dataSource
      .getRepository(ConsoleAuthTokenEntity)
      .update({ nodeUuid: 'con-1' }, { expires: Math.floor(Date.now() / 1000) });
    expect(await attempt(`${proxyUrl}/?token=${token}`)).toEqual({ status: 401, body: 'Console token expired\n' });
    expect(await rows()).toEqual([]);
  });

  it('upstream reads the last token parameter, on any path', async () => {
    const token = await newToken();
    const opened = await attempt(`${proxyUrl}/any/path?token=bogus&token=${token}`);
    expect('ws' in opened).toBe(true);
    if ('ws' in opened) opened.ws.close();
  });

  it('DELETE /v1/console_auth_tokens/{node} cuts new connections for that node only', async () => {
    const revoked = await newToken('con-1');
    const kept = await newToken('con-2');
    await t.as('owner').delete('/v1/console_auth_tokens/con-1').expect(200);
    expect(await attempt(`${proxyUrl}/?token=${revoked}`)).toMatchObject({ status: 401 });
    const opened = await attempt(`${proxyUrl}/?token=${kept}`);
    expect('ws' in opened).toBe(true);
    if ('ws' in opened) opened.ws.close();
  });

  it('a node whose console is off is refused (409), a dead console port is 502', async () => {
    const off = await t.as('owner').post('/v1/console_auth_tokens').send({ node_uuid_or_name: 'no-console' });
    expect(await attempt(`${proxyUrl}/?token=${off.body.token}`)).toEqual({
      status: 409,
      body: 'Console of node no-console is not enabled\n',
    });

    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const { port } = dead.address() as AddressInfo;
    await new Promise((resolve) => dead.close(resolve));
    t.nodes.add('dead-console', { owner: P.owner, console: { host: '127.0.0.1', port } });
    const token = await newToken('dead-console');
    expect(await attempt(`${proxyUrl}/?token=${token}`)).toEqual({
      status: 502,
      body: 'Console of node dead-console is unreachable\n',
    });
  });

  it('removing a lease from the node deletes its tokens', async () => {
    const lease = await t.as('owner').post('/v1/leases').send({ resource_uuid: 'con-2', project_id: P.lessee });
    expect(lease.status).toBe(201);
    expect((await t.app.get(LeaseLifecycle, { strict: false }).fulfil([lease.body.uuid])).get(lease.body.uuid)).toBe('done');
    const token = await newToken('con-2');
    await t.as('owner').delete(`/v1/leases/${lease.body.uuid}`).expect(200);
    expect((await rows()).filter((r) => r.nodeUuid === 'con-2')).toEqual([]);
    expect(await attempt(`${proxyUrl}/?token=${token}`)).toMatchObject({ status: 401 });
  });

  it('ManagerJobs.cleanExpiredConsoleTokens removes expired rows only', async () => {
    await t.dataSource.getRepository(ConsoleAuthTokenEntity).clear();
    await newToken();
    const stale = await newToken();
    const repo = t.dataSource.getRepository(ConsoleAuthTokenEntity);
    const [, staleRow] = await repo.find({ order: { id: 'ASC' } });
    await repo.update({ id: staleRow.id }, { expires: Math.floor(Date.now() / 1000) - 1 });
    const jobs = new ManagerJobs(
      t.app.get(ESI_LEAP_CONFIG),
      t.dataSource,
      t.app.get(Clock),
      t.app.get(LeasesRepository, { strict: false }),
      t.app.get(OffersRepository, { strict: false }),
      new ConsoleAuthTokensRepository(t.dataSource),
      t.app.get(LeaseLifecycle, { strict: false }),
      new ManagerMetrics(),
      // Not used by the housekeeping job, and this app runs without the manager role.
      { writeDue: async () => 0, nextDueTime: async () => null } as unknown as LeaseReminders,
    );
    expect(await jobs.cleanExpiredConsoleTokens()).toBe(1);
    expect((await rows()).map((r) => r.id)).not.toContain(staleRow.id);
    expect(await rows()).toHaveLength(1);
    expect(await attempt(`${proxyUrl}/?token=${stale}`)).toMatchObject({ status: 401 });
  });

  it('[serialconsoleproxy] allowed_origins: other browser origins get 403; clients without Origin pass', async () => {
    const url = await startProxy({ allowed_origins: ['https://console.example.com'] });
    const evil = await attempt(`${url}/?token=${await newToken()}`, { Origin: 'https://evil.example.com' });
    expect(evil).toEqual({ status: 403, body: 'Origin not allowed\n' });
    for (const headers of [{ Origin: 'https://Console.example.com/' }, {}] as Record<string, string>[]) {
      const opened = await attempt(`${url}/?token=${await newToken()}`, headers);
      expect('ws' in opened).toBe(true);
      if ('ws' in opened) opened.ws.close();
    }
  });

  it('[serialconsoleproxy] timeout > 0 caps a session', async () => {
    const url = await startProxy({ timeout: 1 });
    const opened = await attempt(`${url}/?token=${await newToken()}`);
    if (!('ws' in opened)) throw new Error('refused');
    const started = Date.now();
    const [code, reason] = await once(opened.ws, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(code).toBe(1000);
    expect(String(reason)).toBe('Console session time limit reached');
  });

  it('closing the proxy ends open sessions and stops accepting', async () => {
    const proxy = proxies[0];
    const opened = await attempt(`${proxyUrl}/?token=${await newToken()}`);
    if (!('ws' in opened)) throw new Error('refused');
    const closed = once(opened.ws, 'close');
    await proxy.close();
    expect((await closed)[0]).toBe(1001);
    await expect(attempt(`${proxyUrl}/?token=x`)).rejects.toThrow(/ECONNREFUSED/);
  });
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

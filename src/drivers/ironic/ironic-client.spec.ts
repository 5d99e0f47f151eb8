import { Logger } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { NodeNotFound, ServiceUnavailable } from '../../common/errors/esi-leap.exceptions';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { IronicClient } from './ironic-client';
import { IronicNotConfigured, IronicRequestFailed, IronicVersionUnsupported, ironicFaultString } from './ironic-errors';
import { IronicSection } from './ironic-http';
import { negotiateMicroversion } from './ironic-microversion';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A scripted HTTP server on a loopback port that records every request. */
async function fakeServer(handler: Handler): Promise<{
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  server: Server;
}> {
  const requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

const ROOT = {
  name: 'OpenStack Ironic API',
  versions: [{ id: 'v1', min_version: '1.1', version: '1.82', status: 'CURRENT' }],
};

function ironicError(res: ServerResponse, status: number, faultstring: string): void {
  json(res, status, { error_message: JSON.stringify({ faultcode: 'Client', faultstring, debuginfo: null }) });
}

function section(overrides: Partial<IronicSection & Record<string, unknown>>): IronicSection {
  return {
    auth_type: 'none',
    endpoint_override: null,
    service_type: 'baremetal',
    valid_interfaces: ['internal', 'public'],
    region_name: null,
    timeout: 5,
    call_timeout: 10,
    max_connections: 4,
    status_code_retries: 3,
    status_code_retry_delay: 0.001,
    retriable_status_codes: null,
    connect_retries: 1,
    connect_retry_delay: 0.001,
    ...overrides,
  };
}

function clientFor(ironic: Partial<IronicSection & Record<string, unknown>>): IronicClient {
  return new IronicClient({ ironic: section(ironic) } as unknown as EsiLeapConfig);
}

describe('IronicClient', () => {
  const servers: Server[] = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function ironic(handler: Handler) {
    const fake = await fakeServer((req, body, res) =>
      req.url === '/' ? json(res, 200, ROOT) : handler(req, body, res),
    );
    servers.push(fake.server);
    return fake;
  }

  it('reads the version document once and sends microversion 1.65', async () => {
    const fake = await ironic((req, _b, res) => json(res, 200, { uuid: 'u1', name: 'n1' }));
    const client = clientFor({ endpoint_override: `${fake.url}/v1/` });
    await client.getNode('n1');
    await client.getNode('n1', ['uuid']);
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /',
      'GET /v1/nodes/n1',
      'GET /v1/nodes/n1?fields=uuid',
    ]);
    expect(fake.requests[1].headers['x-openstack-ironic-api-version']).toBe('1.65');
    expect(fake.requests[1].headers['x-auth-token']).toBeUndefined();
  });

  it('negotiates down to an older maximum, and refuses one without lessee (< 1.65)', async () => {
    expect(negotiateMicroversion({ min: [1, 1], max: [1, 82] })).toBe('1.65');
    expect(negotiateMicroversion({ min: [1, 1], max: [1, 64] })).toBeNull();
    expect(negotiateMicroversion({ min: [1, 70], max: [1, 82] })).toBeNull();
    expect(negotiateMicroversion({ min: [1, 1], max: [1, 64] }, '1.70', '1.50')).toBe('1.64');

    const old = await fakeServer((req, _b, res) =>
      json(res, 200, { versions: [{ id: 'v1', min_version: '1.1', version: '1.58' }] }),
    );
    servers.push(old.server);
    const err = await clientFor({ endpoint_override: old.url })
      .getNode('x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IronicVersionUnsupported);
    expect((err as Error).message).toBe(
      `Ironic at ${old.url} offers API versions 1.1 to 1.58; esi-leap needs 1.65 (node lessee).`,
    );
    expect((err as IronicVersionUnsupported).status).toBe(503);
  });

  it('retries 409 NodeLocked with back-off, then gives up with Ironic’s message', async () => {
    let calls = 0;
    const fake = await ironic((_req, _b, res) =>
      ++calls < 3
        ? ironicError(res, 409, 'Node u1 is locked by host h, please retry after the current operation is completed.')
        : json(res, 200, { uuid: 'u1' }),
    );
    const client = clientFor({ endpoint_override: fake.url });
    await expect(client.patchNode('u1', [{ op: 'remove', path: '/lessee' }])).resolves.toEqual({ uuid: 'u1' });
    expect(calls).toBe(3);
    expect(JSON.parse(fake.requests[3].body)).toEqual([{ op: 'remove', path: '/lessee' }]);
    expect(fake.requests[3].headers['content-type']).toBe('application/json');

    calls = -100;
    const err = await client.patchNode('u1', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IronicRequestFailed);
    expect((err as Error).message).toBe(
      'Node u1 is locked by host h, please retry after the current operation is completed. (HTTP 409)',
    );
    expect(calls).toBe(-96); // one try + 3 retries
  });

  it('maps a missing node to NodeNotFound, 5xx and unreachable to ServiceUnavailable', async () => {
    const fake = await ironic((req, _b, res) =>
      req.url!.includes('gone')
        ? ironicError(res, 404, 'Node gone could not be found.')
        : json(res, 500, { error_message: 'boom' }),
    );
    const client = clientFor({ endpoint_override: fake.url });
    const missing = await client.getNode('gone').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NodeNotFound);
    expect((missing as NodeNotFound).status).toBe(404);
    expect((missing as Error).message).toBe(
      'Encountered an error fetching info for node gone (ironic_node): Node gone could not be found.',
    );
    await expect(client.getNode('other')).rejects.toThrow(ServiceUnavailable);
    await expect(client.getNode('other')).rejects.toThrow('Ironic is unavailable.');

    const closed = await fakeServer(() => undefined);
    await new Promise((r) => closed.server.close(r));
    await expect(clientFor({ endpoint_override: closed.url }).getNode('x')).rejects.toThrow('Ironic is unavailable.');
  });

  it('times out a hung request', async () => {
    const fake = await ironic(() => undefined /* never answers */);
    const client = new IronicClient({
      ironic: { ...section({ endpoint_override: fake.url }), timeout: 0.2 },
    } as unknown as EsiLeapConfig);
    const started = Date.now();
    await expect(client.getNode('x')).rejects.toThrow(ServiceUnavailable);
    expect(Date.now() - started).toBeLessThan(3000);
    fake.server.closeAllConnections();
  });

  it('ends a call that keeps being retried once call_timeout is used up, with a 503', async () => {
    let calls = 0;
    const fake = await ironic((_req, _b, res) => {
      calls++;
      ironicError(res, 409, 'Node u1 is locked by host h, please retry after the current operation is completed.');
    });
    const client = clientFor({
      endpoint_override: fake.url,
      status_code_retries: 1000,
      status_code_retry_delay: 0.05,
      call_timeout: 0.5,
    });
    await expect(client.patchNode('u1', [])).rejects.toThrow(new ServiceUnavailable({ service: 'Ironic' }));
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(1000);
  });

  it('asks Ironic once for identical concurrent reads, but never lets a read join one older than a write', async () => {
    const fake = await ironic((_req, _b, res) => setTimeout(() => json(res, 200, { uuid: 'u1' }), 30));
    const client = clientFor({ endpoint_override: fake.url });
    const gets = () => fake.requests.filter((r) => r.method === 'GET' && r.url === '/v1/nodes/u1').length;
    await Promise.all(Array.from({ length: 5 }, () => client.getNode('u1')));
    expect(gets()).toBe(1);
    const before = client.getNode('u1');
    const write = client.patchNode('u1', []);
    const after = client.getNode('u1');
    await Promise.all([before, write, after]);
    expect(gets()).toBe(3);
  });

  it('follows next links page by page, against its own endpoint', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'].map((uuid) => ({ uuid }));
    const fake = await ironic((req, _b, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      const start = q.get('marker') ? all.findIndex((n) => n.uuid === q.get('marker')) + 1 : 0;
      const page = all.slice(start, start + 2);
      const next =
        start + 2 < all.length ? `http://public.example:6385/v1/nodes?limit=2&marker=${page[1].uuid}` : undefined;
      json(res, 200, { nodes: page, ...(next ? { next } : {}) });
    });
    const nodes = await clientFor({ endpoint_override: fake.url }).listNodes({ owner: 'p1', resourceClass: 'rc' }, [
      'uuid',
      'owner',
    ]);
    expect(nodes.map((n) => n.uuid)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(fake.requests.slice(1).map((r) => r.url)).toEqual([
      '/v1/nodes?fields=uuid%2Cowner&resource_class=rc&owner=p1',
      '/v1/nodes?fields=uuid%2Cowner&resource_class=rc&owner=p1&marker=b',
      '/v1/nodes?fields=uuid%2Cowner&resource_class=rc&owner=p1&marker=d',
    ]);
  });

  describe('with a Keystone service user (auth_type = password)', () => {
    async function keystone(ironicUrl: string) {
      let issued = 0;
      const fake = await fakeServer((req, body, res) => {
        const auth = JSON.parse(body).auth;
        expect(auth.identity.password.user).toEqual({ name: 'esi', password: 'pw', domain: { name: 'Default' } });
        json(
          res,
          201,
          {
            token: {
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
              catalog: [{ type: 'baremetal', endpoints: [{ interface: 'public', url: ironicUrl, region_id: 'R1' }] }],
            },
          },
          { 'X-Subject-Token': `service-token-${++issued}` },
        );
      });
      servers.push(fake.server);
      return fake;
    }
    const credentials = (authUrl: string) => ({
      auth_type: 'password',
      auth_url: `${authUrl}/v3`,
      username: 'esi',
      password: 'pw',
      user_domain_name: 'Default',
      project_name: 'service',
      project_domain_name: 'Default',
      region_name: 'R1',
    });

    it('finds Ironic in the catalog, sends the service token, re-authenticates once on 401', async () => {
      let rejectOnce = true;
      const fake = await ironic((_req, _b, res) => {
        if (rejectOnce) {
          rejectOnce = false;
          return json(res, 401, {
            error: { code: 401, message: 'The request you have made requires authentication.' },
          });
        }
        json(res, 200, { uuid: 'u1' });
      });
      const ks = await keystone(fake.url);
      await clientFor(credentials(ks.url)).getNode('u1');
      expect(ks.requests).toHaveLength(2);
      expect(fake.requests.slice(1).map((r) => r.headers['x-auth-token'])).toEqual([
        'service-token-1',
        'service-token-2',
      ]);
    });

    it('lists as the user with the service token alongside', async () => {
      const fake = await ironic((_req, _b, res) => json(res, 200, { nodes: [] }));
      const ks = await keystone(fake.url);
      await clientFor(credentials(ks.url)).listNodes({}, ['uuid'], 'user-token');
      expect(fake.requests[1].headers['x-auth-token']).toBe('user-token');
      expect(fake.requests[1].headers['x-service-token']).toBe('service-token-1');
    });
  });

  it('says which [ironic] option is missing', async () => {
    await expect(clientFor({ endpoint_override: null }).getNode('x')).rejects.toThrow(
      new IronicNotConfigured('[ironic] endpoint_override must be set when auth_type is none.'),
    );
    await expect(clientFor({ auth_type: 'v3token' }).getNode('x')).rejects.toThrow(
      '[ironic] auth_type = v3token is not supported; use password or none.',
    );
  });
});

describe('ironicFaultString', () => {
  it('unwraps the double-encoded error_message and the other error shapes', () => {
    const wrapped = (inner: unknown) => JSON.stringify({ error_message: JSON.stringify(inner) });
    expect(
      ironicFaultString(wrapped({ faultcode: 'Client', faultstring: 'Node x could not be found.', debuginfo: null })),
    ).toBe('Node x could not be found.');
    expect(
      ironicFaultString(wrapped({ code: 406, title: 'Not Acceptable', description: 'Version 1.99 was requested' })),
    ).toBe('Version 1.99 was requested');
    expect(ironicFaultString(JSON.stringify({ error: { code: 401, message: 'Authentication required' } }))).toBe(
      'Authentication required',
    );
    expect(ironicFaultString('<html>Bad Gateway</html>')).toBe('<html>Bad Gateway</html>');
  });
});

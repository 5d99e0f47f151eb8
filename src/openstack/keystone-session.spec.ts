import { Logger } from '@nestjs/common';
import type { fetch } from 'undici';
import { ServiceUnavailable } from '../common/errors/esi-leap.exceptions';
import { authenticatedFetch } from './authenticated-fetch';
import { EndpointNotFound, identityV3Url, KeystoneSession, keystoneAuthOptionsFrom } from './keystone-session';
import { OutboundHttp } from './outbound-http';

const SECTION = {
  auth_url: 'http://keystone:5000',
  username: 'esi-leap',
  password: 'secret',
  user_domain_name: 'Default',
  project_name: 'service',
  project_domain_id: 'default',
  region_name: 'ignored-here',
};

const CATALOG = [
  {
    type: 'baremetal',
    endpoints: [
      { interface: 'public', url: 'http://ironic-public', region_id: 'RegionOne' },
      { interface: 'internal', url: 'http://ironic-internal-one', region_id: 'RegionOne' },
      { interface: 'internal', url: 'http://ironic-internal-two', region_id: 'RegionTwo' },
    ],
  },
];

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function tokenResponse(token: string, expiresInMs = 3_600_000): Response {
  const body = { token: { expires_at: new Date(Date.now() + expiresInMs).toISOString(), catalog: CATALOG } };
  return new Response(JSON.stringify(body), { status: 201, headers: { 'X-Subject-Token': token } });
}

describe('KeystoneSession', () => {
  const fetchMock = jest.fn<Promise<Response>, [string, RequestInit]>();
  const http = () =>
    new OutboundHttp(
      {
        service: 'Keystone',
        section: 'keystone',
        tls: { caFile: null, certFile: null, keyFile: null, insecure: false },
        callTimeoutMs: 1000,
        attemptTimeoutMs: 1000,
        maxConnections: 1,
      },
      fetchMock as unknown as typeof fetch,
    );
  const sessionFor = (section: Record<string, unknown>) =>
    new KeystoneSession(keystoneAuthOptionsFrom(section), http());
  beforeEach(() => {
    fetchMock.mockReset();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('reads keystoneauth option names and rejects a section without credentials', () => {
    const options = keystoneAuthOptionsFrom(SECTION);
    expect(options).toMatchObject({ authUrl: 'http://keystone:5000', username: 'esi-leap', projectName: 'service' });
    expect(() => keystoneAuthOptionsFrom({ auth_url: 'http://k' })).toThrow(/password/);
    expect(() => keystoneAuthOptionsFrom({ auth_url: 'http://k', password: 'p' })).toThrow(/username or user_id/);
  });

  it('normalises auth_url to the v3 root', () => {
    expect(identityV3Url('http://k:5000')).toBe('http://k:5000/v3');
    expect(identityV3Url('http://k:5000/v3/')).toBe('http://k:5000/v3');
    expect(identityV3Url('http://k/identity')).toBe('http://k/identity/v3');
  });

  it('authenticates once with a password and a project scope, then reuses the token', async () => {
    fetchMock.mockResolvedValueOnce(tokenResponse('tok-1'));
    const session = sessionFor(SECTION);
    const [a, b] = await Promise.all([session.token(), session.token()]);
    expect([a, b, await session.token()]).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('http://keystone:5000/v3/auth/tokens');
    expect(JSON.parse(init.body as string)).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'esi-leap', password: 'secret', domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'service', domain: { id: 'default' } } },
      },
    });
  });

  it('renews in the background before expiry while handing out the current token, and after invalidate()', async () => {
    const renewal = deferred<Response>();
    fetchMock
      .mockResolvedValueOnce(tokenResponse('short', 60_000))
      .mockReturnValueOnce(renewal.promise)
      .mockResolvedValueOnce(tokenResponse('tok-3'));
    const session = sessionFor(SECTION);
    const start = Date.now();
    expect(await session.token()).toBe('short');
    const clock = jest.spyOn(Date, 'now').mockReturnValue(start + 31_000);
    // Past the renewal point: the current token is still handed out while one renewal runs.
    expect(await Promise.all([session.token(), session.token()])).toEqual(['short', 'short']);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    renewal.resolve(tokenResponse('tok-2'));
    await new Promise((r) => setImmediate(r));
    expect(await session.token()).toBe('tok-2');
    session.invalidate();
    expect(await session.token()).toBe('tok-3');
    clock.mockRestore();
  });

  it('waits for a new token once the old one is about to lapse', async () => {
    fetchMock.mockResolvedValueOnce(tokenResponse('short', 60_000)).mockResolvedValueOnce(tokenResponse('tok-2'));
    const session = sessionFor(SECTION);
    const start = Date.now();
    expect(await session.token()).toBe('short');
    jest.spyOn(Date, 'now').mockReturnValue(start + 46_000);
    expect(await session.token()).toBe('tok-2');
  });

  it('uses system scope when asked', async () => {
    fetchMock.mockResolvedValueOnce(tokenResponse('sys'));
    await sessionFor({ ...SECTION, system_scope: 'all' }).token();
    expect(JSON.parse(fetchMock.mock.calls[0][1].body as string).auth.scope).toEqual({ system: { all: true } });
  });

  it('finds catalog endpoints by interface preference and region', async () => {
    fetchMock.mockResolvedValue(tokenResponse('tok'));
    const session = sessionFor(SECTION);
    expect(await session.endpoint('baremetal', { interfaces: ['internal', 'public'] })).toBe(
      'http://ironic-internal-one',
    );
    expect(await session.endpoint('baremetal', { interfaces: ['internal'], region: 'RegionTwo' })).toBe(
      'http://ironic-internal-two',
    );
    expect(await session.endpoint('baremetal', { interfaces: ['publicURL'] })).toBe('http://ironic-public');
    await expect(session.endpoint('baremetal', { interfaces: ['admin'] })).rejects.toBeInstanceOf(EndpointNotFound);
    await expect(session.endpoint('lease', { interfaces: ['public'] })).rejects.toThrow(/lease/);
  });

  it.each([
    ['unreachable', () => Promise.reject(new TypeError('fetch failed'))],
    ['5xx', () => Promise.resolve(new Response('boom', { status: 503 }))],
    ['bad service credentials', () => Promise.resolve(new Response('{}', { status: 401 }))],
  ])('turns %s into ServiceUnavailable', async (_label, answer) => {
    fetchMock.mockImplementation(answer);
    const session = sessionFor(SECTION);
    await expect(session.token()).rejects.toThrow(new ServiceUnavailable({ service: 'Keystone' }));
  });

  it('authenticatedFetch retries once with a new token after a 401', async () => {
    fetchMock
      .mockResolvedValueOnce(tokenResponse('old'))
      .mockResolvedValueOnce(new Response('', { status: 401 }))
      .mockResolvedValueOnce(tokenResponse('new'))
      .mockResolvedValueOnce(new Response('{"ok":true}', { status: 200 }));
    const session = sessionFor(SECTION);
    const response = await authenticatedFetch(session, 'http://ironic/v1/nodes', { service: 'Ironic' });
    expect(response.status).toBe(200);
    const sent = fetchMock.mock.calls.filter(([url]) => url === 'http://ironic/v1/nodes');
    expect(sent.map(([, init]) => (init.headers as Record<string, string>)['X-Auth-Token'])).toEqual(['old', 'new']);
  });

  it('authenticatedFetch turns 5xx into ServiceUnavailable for the named service', async () => {
    fetchMock.mockResolvedValueOnce(tokenResponse('tok')).mockResolvedValueOnce(new Response('', { status: 500 }));
    const session = sessionFor(SECTION);
    await expect(authenticatedFetch(session, 'http://ironic/v1/nodes', { service: 'Ironic' })).rejects.toThrow(
      'Ironic is unavailable.',
    );
  });
});

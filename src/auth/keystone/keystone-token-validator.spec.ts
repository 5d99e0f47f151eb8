import { Logger } from '@nestjs/common';
import type { fetch } from 'undici';
import { KeystoneSession } from '../../openstack/keystone-session';
import { OutboundHttp } from '../../openstack/outbound-http';
import { KeystoneTokenValidator } from './keystone-token-validator';

const fetchMock = jest.fn<Promise<Response>, [string, RequestInit]>();
const session = {
  token: async () => 'service-token',
  invalidate: () => undefined,
  http: new OutboundHttp(
    {
      service: 'Keystone',
      section: 'keystone_authtoken',
      tls: { caFile: null, certFile: null, keyFile: null, insecure: false },
      callTimeoutMs: 1000,
      attemptTimeoutMs: 1000,
      maxConnections: 1,
    },
    fetchMock as unknown as typeof fetch,
  ),
} as unknown as KeystoneSession;

function tokenBody(expiresAt: number, extra: Record<string, unknown> = {}) {
  return {
    token: {
      expires_at: new Date(expiresAt).toISOString(),
      user: { id: 'u1', domain: { id: 'default' } },
      project: { id: 'p1', name: 'lessee', domain: { id: 'default' } },
      roles: [
        { id: 'r1', name: 'lessee' },
        { id: 'r2', name: 'member' },
      ],
      ...extra,
    },
  };
}

describe('KeystoneTokenValidator', () => {
  let now: number;
  const validator = (cacheSeconds = 300) =>
    new KeystoneTokenValidator(session, 'http://keystone/v3', cacheSeconds, () => now);
  const answer = (status: number, body?: unknown) =>
    fetchMock.mockResolvedValueOnce(new Response(body === undefined ? '' : JSON.stringify(body), { status }));

  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    fetchMock.mockReset();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('asks Keystone as the service user and reads the identity', async () => {
    answer(200, tokenBody(now + 3_600_000, { is_admin_project: false }));
    const identity = await validator().validate('user-token');
    expect(identity).toMatchObject({
      userId: 'u1',
      userDomainId: 'default',
      projectId: 'p1',
      projectName: 'lessee',
      projectDomainId: 'default',
      roles: ['lessee', 'member'],
      isAdminProject: false,
      systemScope: null,
    });
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('http://keystone/v3/auth/tokens?nocatalog');
    expect(init.headers).toMatchObject({ 'X-Auth-Token': 'service-token', 'X-Subject-Token': 'user-token' });
  });

  it('defaults is_admin_project to true and maps system scope', async () => {
    answer(200, tokenBody(now + 3_600_000, { project: undefined, system: { all: true } }));
    expect(await validator().validate('t')).toMatchObject({
      isAdminProject: true,
      systemScope: 'all',
      projectId: null,
    });
  });

  it('caches a valid token for token_cache_time, never past its expiry', async () => {
    const v = validator(300);
    answer(200, tokenBody(now + 100_000));
    expect(await v.validate('t')).not.toBeNull();
    now += 99_000;
    expect(await v.validate('t')).not.toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    now += 2_000;
    answer(404, { error: { code: 404 } });
    expect(await v.validate('t')).toBeNull();
  });

  it('does not cache with token_cache_time = -1', async () => {
    const v = validator(-1);
    answer(200, tokenBody(now + 3_600_000));
    answer(200, tokenBody(now + 3_600_000));
    await v.validate('t');
    await v.validate('t');
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('remembers a rejection only for a few seconds', async () => {
    const v = validator();
    answer(404, { error: { code: 404 } });
    expect(await v.validate('bad')).toBeNull();
    now += 4_000;
    expect(await v.validate('bad')).toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    now += 2_000;
    answer(200, tokenBody(now + 3_600_000));
    expect(await v.validate('bad')).not.toBeNull();
  });

  it('refuses an already expired token and a token that cannot be a header without asking', async () => {
    answer(200, tokenBody(now - 1));
    expect(await validator().validate('t')).toBeNull();
    expect(await validator().validate('has space')).toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['5xx', () => answer(500, {})],
    ['403 (service user may not validate)', () => answer(403, {})],
    ['unreachable', () => fetchMock.mockRejectedValueOnce(new TypeError('fetch failed'))],
  ])('fails closed with ServiceUnavailable on %s and caches nothing', async (_label, arrange) => {
    const v = validator();
    arrange();
    await expect(v.validate('t')).rejects.toThrow('Keystone is unavailable.');
    answer(200, tokenBody(now + 3_600_000));
    expect(await v.validate('t')).not.toBeNull();
  });
});

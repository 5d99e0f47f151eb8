import { ProjectNoSuchName } from '../common/errors/esi-leap.exceptions';
import type { fetch } from 'undici';
import { KeystoneSession } from '../openstack/keystone-session';
import { OutboundHttp } from '../openstack/outbound-http';
import { KeystoneProjectDirectory, PROJECT_CACHE_TTL_MS } from './keystone-project-directory';

const PROJECTS: Record<string, { id: string; name: string; parent_id: string | null }> = {
  default: { id: 'default', name: 'Default', parent_id: null },
  lessee: { id: 'lessee', name: 'lessee', parent_id: 'default' },
  child: { id: 'child', name: 'child', parent_id: 'lessee' },
  grandchild: { id: 'grandchild', name: 'grandchild', parent_id: 'child' },
};

describe('KeystoneProjectDirectory', () => {
  const calls: string[] = [];
  let directory: KeystoneProjectDirectory;
  const endpoint = jest.fn(async () => 'http://keystone:5000/v3');

  beforeEach(() => {
    calls.length = 0;
    endpoint.mockClear();
    const fetchMock = (async (input: string) => {
      const url = new URL(input);
      calls.push(url.pathname + url.search);
      const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
      if (url.pathname === '/v3/projects') {
        const name = url.searchParams.get('name');
        const all = Object.values(PROJECTS).filter((p) => p.id !== 'default');
        return json(200, { projects: name === null ? all : all.filter((p) => p.name === name) });
      }
      const project = PROJECTS[decodeURIComponent(url.pathname.replace('/v3/projects/', ''))];
      return project ? json(200, { project }) : json(404, { error: { code: 404 } });
    }) as unknown as typeof fetch;
    const http = new OutboundHttp(
      {
        service: 'Keystone',
        section: 'keystone',
        tls: { caFile: null, certFile: null, keyFile: null, insecure: false },
        callTimeoutMs: 1000,
        attemptTimeoutMs: 1000,
        maxConnections: 1,
      },
      fetchMock,
    );
    const session = { token: async () => 'svc', invalidate: () => undefined, http, endpoint };
    directory = new KeystoneProjectDirectory(session as unknown as KeystoneSession, {
      endpointOverride: null,
      interfaces: ['internal', 'public'],
      region: null,
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('resolves names through Keystone and keeps UUID-like idents verbatim', async () => {
    expect(await directory.resolve('child')).toBe('child');
    expect(await directory.resolve('0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef');
    await expect(directory.resolve('nope')).rejects.toBeInstanceOf(ProjectNoSuchName);
    expect(calls).toEqual(['/v3/projects?name=child', '/v3/projects?name=nope']);
    expect(endpoint).toHaveBeenCalledWith('identity', { interfaces: ['internal', 'public'], region: null });
  });

  it('decorates names from one cached project list, "" for unknown ids', async () => {
    expect(await directory.nameOf('lessee')).toBe('lessee');
    expect(await directory.nameOf('child')).toBe('child');
    expect(await directory.nameOf(null)).toBe('');
    expect(await directory.nameOf('gone')).toBe('');
    expect((await directory.names()).get('grandchild')).toBe('grandchild');
    expect(calls).toEqual(['/v3/projects', '/v3/projects/gone']);
  });

  it('walks the parent chain up to the domain, and caches it', async () => {
    expect(await directory.ancestry('grandchild')).toEqual(['grandchild', 'child', 'lessee', 'default']);
    expect(await directory.ancestry('grandchild')).toEqual(['grandchild', 'child', 'lessee', 'default']);
    expect(calls).toHaveLength(4);
    expect(await directory.ancestry('unknown')).toEqual(['unknown']);
  });

  it('asks again once the cache lifetime is over', async () => {
    const start = Date.now();
    await directory.names();
    jest.spyOn(Date, 'now').mockReturnValue(start + PROJECT_CACHE_TTL_MS + 60_000);
    await directory.names();
    expect(calls).toEqual(['/v3/projects', '/v3/projects']);
  });
});

import { Response } from 'undici';
import { ProjectNoSuchName } from '../common/errors/esi-leap.exceptions';
import { isUuidLike } from '../common/uuid-like';
import { authenticatedFetch } from '../openstack/authenticated-fetch';
import { identityV3Url, KeystoneSession } from '../openstack/keystone-session';
import { Loaded, refreshAfter, RefreshingCache } from '../openstack/refreshing-cache';
import { ProjectDirectory } from './project-directory';

/**
 * How long project names, ids and parents are reused. Upstream asked Keystone on every request;
 * a minute keeps list pages to one project-list call without letting a renamed or re-parented
 * project look stale for long. A constant because esi-leap has no option for it.
 */
export const PROJECT_CACHE_TTL_MS = 60_000;
const MAX_CACHED_PROJECTS = 10_000;

interface KeystoneProject {
  readonly id: string;
  readonly name: string;
  readonly parent_id?: string | null;
  /** A free-form project property; upstream's e-mail script mails lessees there. */
  readonly email?: unknown;
}

/** Where the directory finds Identity v3: a fixed URL, or the session's catalog. */
export interface IdentityEndpoint {
  readonly endpointOverride: string | null;
  readonly interfaces: readonly string[];
  readonly region: string | null;
}

/**
 * The project directory backed by Keystone, asked with the `[keystone]` service credentials
 * through one reused session. Every look-up is cached per key: concurrent requests share one
 * Keystone call, and a key still in use is refreshed in the background before it lapses.
 */
export class KeystoneProjectDirectory extends ProjectDirectory {
  private readonly nameList = new RefreshingCache<'all', ReadonlyMap<string, string>>(1);
  private readonly idsByName = new RefreshingCache<string, string>(MAX_CACHED_PROJECTS);
  private readonly projects = new RefreshingCache<string, KeystoneProject | null>(MAX_CACHED_PROJECTS);
  private baseUrl: string | null = null;

  constructor(
    private readonly session: KeystoneSession,
    private readonly identity: IdentityEndpoint,
  ) {
    super();
  }

  async resolve(ident: string): Promise<string> {
    if (isUuidLike(ident)) return ident;
    return this.idsByName.get(ident, async () => {
      const { projects } = await this.getJson<{ projects: KeystoneProject[] }>(
        `/projects?name=${encodeURIComponent(ident)}`,
      );
      // Names are unique per domain only; like upstream, the first hit wins.
      const first = projects[0];
      if (!first) throw new ProjectNoSuchName({ name: ident });
      return cached(first.id);
    });
  }

  async nameOf(projectId: string | null): Promise<string> {
    if (!projectId) return '';
    const known = (await this.names()).get(projectId);
    if (known !== undefined) return known;
    // Created since the list was cached, or unknown (decorated as "").
    return (await this.project(projectId))?.name ?? '';
  }

  names(): Promise<ReadonlyMap<string, string>> {
    return this.nameList.get('all', async () => {
      const { projects } = await this.getJson<{ projects: KeystoneProject[] }>('/projects');
      return cached(new Map(projects.map((p) => [p.id, p.name])));
    });
  }

  async ancestry(projectId: string): Promise<string[]> {
    // A top-level project's parent is its domain, which Keystone also serves as a project whose
    // parent is null: upstream's chain ends with the domain id, and so does this one.
    const chain = [projectId];
    let parentId = (await this.project(projectId))?.parent_id ?? null;
    while (parentId && !chain.includes(parentId)) {
      chain.push(parentId);
      parentId = (await this.project(parentId))?.parent_id ?? null;
    }
    return chain;
  }

  override async contactEmail(projectId: string): Promise<string | null> {
    const email = (await this.project(projectId))?.email;
    return typeof email === 'string' && email.includes('@') ? email : null;
  }

  /** Releases the pooled connections to Keystone. */
  async onApplicationShutdown(): Promise<void> {
    await this.session.http.close();
  }

  /** One project, or null when Keystone does not know it. */
  private project(id: string): Promise<KeystoneProject | null> {
    return this.projects.get(id, async () => {
      const response = await this.get(`/projects/${encodeURIComponent(id)}`);
      if (response.status === 404) {
        await response.body?.cancel();
        return cached(null);
      }
      return cached(((await this.parse(response)) as { project: KeystoneProject }).project);
    });
  }

  private async getJson<T>(path: string): Promise<T> {
    return (await this.parse(await this.get(path))) as T;
  }

  private async get(path: string): Promise<Response> {
    return authenticatedFetch(this.session, `${await this.base()}${path}`, { service: 'Keystone' });
  }

  private async parse(response: Response): Promise<unknown> {
    if (response.status !== 200) {
      await response.body?.cancel();
      // 403: the [keystone] user lacks the reader/admin role it needs; a deployment error.
      throw this.session.http.unavailable(
        `Keystone answered ${response.status} to ${response.url}; check the [keystone] user's roles`,
      );
    }
    return response.json();
  }

  private async base(): Promise<string> {
    this.baseUrl ??= identityV3Url(
      this.identity.endpointOverride ??
        (await this.session.endpoint('identity', {
          interfaces: this.identity.interfaces,
          region: this.identity.region,
        })),
    );
    return this.baseUrl;
  }
}

function cached<V>(value: V): Loaded<V> {
  return { value, ttlMs: PROJECT_CACHE_TTL_MS, refreshAfterMs: refreshAfter(PROJECT_CACHE_TTL_MS) };
}

import { ProjectNoSuchName } from '../common/errors/esi-leap.exceptions';
import { isUuidLike } from '../common/uuid-like';
import { authenticatedFetch } from '../openstack/authenticated-fetch';
import { identityV3Url, KeystoneSession } from '../openstack/keystone-session';
import { TtlCache } from '../openstack/ttl-cache';
import { ProjectDirectory } from './project-directory';

/**
 * How long project names and parent chains are reused. Upstream asked Keystone on every request
 * (spec K-7); a minute keeps list pages to one project-list call without letting a renamed or
 * re-parented project look stale for long. A constant because esi-leap has no option for it.
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
 * The project directory backed by Keystone (spec E.6, api.md 1.12), asked with the `[keystone]`
 * service credentials through one reused session.
 */
export class KeystoneProjectDirectory extends ProjectDirectory {
  private readonly nameList = new TtlCache<'all', ReadonlyMap<string, string>>(1);
  private readonly idsByName = new TtlCache<string, string>(MAX_CACHED_PROJECTS);
  private readonly chains = new TtlCache<string, string[]>(MAX_CACHED_PROJECTS);
  private baseUrl: string | null = null;

  constructor(
    private readonly session: KeystoneSession,
    private readonly identity: IdentityEndpoint,
  ) {
    super();
  }

  async resolve(ident: string): Promise<string> {
    if (isUuidLike(ident)) return ident;
    const cached = this.idsByName.get(ident);
    if (cached !== undefined) return cached;
    const { projects } = await this.getJson<{ projects: KeystoneProject[] }>(
      `/projects?name=${encodeURIComponent(ident)}`,
    );
    // Names are unique per domain only; like upstream, the first hit wins.
    const first = projects[0];
    if (!first) throw new ProjectNoSuchName({ name: ident });
    this.idsByName.set(ident, first.id, PROJECT_CACHE_TTL_MS);
    return first.id;
  }

  async nameOf(projectId: string | null): Promise<string> {
    if (!projectId) return '';
    const known = (await this.names()).get(projectId);
    if (known !== undefined) return known;
    // Created since the list was cached, or unknown (decorated as "", api.md 1.12 recommendation).
    return (await this.project(projectId))?.name ?? '';
  }

  async names(): Promise<ReadonlyMap<string, string>> {
    const cached = this.nameList.get('all');
    if (cached) return cached;
    const { projects } = await this.getJson<{ projects: KeystoneProject[] }>('/projects');
    const names = new Map(projects.map((p) => [p.id, p.name]));
    this.nameList.set('all', names, PROJECT_CACHE_TTL_MS);
    return names;
  }

  async ancestry(projectId: string): Promise<string[]> {
    const cached = this.chains.get(projectId);
    if (cached) return [...cached];
    // A top-level project's parent is its domain, which Keystone also serves as a project whose
    // parent is null: upstream's chain ends with the domain id, and so does this one.
    const chain = [projectId];
    let parentId = (await this.project(projectId))?.parent_id ?? null;
    while (parentId && !chain.includes(parentId)) {
      chain.push(parentId);
      parentId = (await this.project(parentId))?.parent_id ?? null;
    }
    this.chains.set(projectId, chain, PROJECT_CACHE_TTL_MS);
    return [...chain];
  }

  override async contactEmail(projectId: string): Promise<string | null> {
    const email = (await this.project(projectId))?.email;
    return typeof email === 'string' && email.includes('@') ? email : null;
  }

  /** One project, or null when Keystone does not know it. */
  private async project(id: string): Promise<KeystoneProject | null> {
    const response = await this.get(`/projects/${encodeURIComponent(id)}`);
    if (response.status === 404) return null;
    return ((await this.parse(response)) as { project: KeystoneProject }).project;
  }

  private async getJson<T>(path: string): Promise<T> {
    return (await this.parse(await this.get(path))) as T;
  }

  private async get(path: string): Promise<Response> {
    return authenticatedFetch(this.session, `${await this.base()}${path}`, { service: 'Keystone' });
  }

  private async parse(response: Response): Promise<unknown> {
    if (response.status !== 200) {
      // 403: the [keystone] user lacks the reader/admin role it needs; a deployment error.
      throw new Error(`Keystone answered ${response.status} to ${response.url}`);
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

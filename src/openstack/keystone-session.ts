import { Response } from 'undici';
import { OutboundHttp } from './outbound-http';

/** keystoneauth `password` plugin options, as read from one config section. */
export interface KeystoneAuthOptions {
  readonly authUrl: string;
  readonly username: string | null;
  readonly userId: string | null;
  readonly password: string;
  readonly userDomainName: string | null;
  readonly userDomainId: string | null;
  readonly projectName: string | null;
  readonly projectId: string | null;
  readonly projectDomainName: string | null;
  readonly projectDomainId: string | null;
  readonly domainName: string | null;
  readonly domainId: string | null;
  readonly systemScope: string | null;
  /** keystoneauth's fallback for both the user's and the project's domain. */
  readonly defaultDomainId: string | null;
  readonly defaultDomainName: string | null;
}

function text(section: Record<string, unknown>, name: string): string | null {
  const value = section[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Reads the keystoneauth option names (`auth_url`, `username`, `user_domain_name`, …) from a
 * config section such as `config.ironic`, `config.keystone` or `config.keystone_authtoken`.
 */
export function keystoneAuthOptionsFrom(section: Record<string, unknown>): KeystoneAuthOptions {
  const authUrl = text(section, 'auth_url');
  const password = text(section, 'password');
  if (authUrl === null || password === null) {
    throw new Error('keystoneauth password plugin: auth_url and password must be set');
  }
  if (text(section, 'username') === null && text(section, 'user_id') === null) {
    throw new Error('keystoneauth password plugin: username or user_id must be set');
  }
  return {
    authUrl,
    username: text(section, 'username'),
    userId: text(section, 'user_id'),
    password,
    userDomainName: text(section, 'user_domain_name'),
    userDomainId: text(section, 'user_domain_id'),
    projectName: text(section, 'project_name'),
    projectId: text(section, 'project_id'),
    projectDomainName: text(section, 'project_domain_name'),
    projectDomainId: text(section, 'project_domain_id'),
    domainName: text(section, 'domain_name'),
    domainId: text(section, 'domain_id'),
    systemScope: text(section, 'system_scope'),
    defaultDomainId: text(section, 'default_domain_id'),
    defaultDomainName: text(section, 'default_domain_name'),
  };
}

/** The Identity v3 root of an `auth_url` given with or without its `/v3` suffix. */
export function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/** The catalog has no endpoint of the wanted type, interface and region (a configuration error). */
export class EndpointNotFound extends Error {}

interface CatalogEndpoint {
  readonly interface: string;
  readonly url: string;
  readonly region?: string | null;
  readonly region_id?: string | null;
}

interface CatalogService {
  readonly type: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

interface IssuedToken {
  readonly value: string;
  /** From here on a new token is fetched in the background while this one is still handed out. */
  readonly renewAt: number;
  /** From here on it is no longer handed out: a request must not leave with a token about to lapse. */
  readonly retireAt: number;
  readonly catalog: readonly CatalogService[];
}

/** Renew this long before expiry (at most half the lifetime), without anyone waiting for it. */
const RENEW_MARGIN_MS = 120_000;
/** Stop using a token this long before expiry (at most a quarter of its lifetime). */
const RETIRE_MARGIN_MS = 30_000;

/**
 * One service identity against Keystone, shared by every call a process makes with it: the
 * token is issued once, renewed in the background ahead of its expiry (concurrent callers share
 * one authentication request), and its catalog answers endpoint look-ups. Upstream asked
 * Keystone for a new token per client object.
 */
export class KeystoneSession {
  private issued: IssuedToken | null = null;
  private issuing: Promise<IssuedToken> | null = null;

  constructor(
    private readonly options: KeystoneAuthOptions,
    /** The section's HTTP client: its TLS settings apply to authentication as keystoneauth's do. */
    readonly http: OutboundHttp,
  ) {}

  async token(deadline: AbortSignal = this.http.deadline()): Promise<string> {
    return (await this.current(deadline)).value;
  }

  /** The URL of `serviceType` in the token's catalog, the first of `interfaces` that exists. */
  async endpoint(
    serviceType: string,
    opts: { interfaces: readonly string[]; region?: string | null },
    deadline: AbortSignal = this.http.deadline(),
  ): Promise<string> {
    const { catalog } = await this.current(deadline);
    const endpoints = catalog.filter((s) => s.type === serviceType).flatMap((s) => s.endpoints);
    for (const wanted of opts.interfaces.map((i) => i.replace(/URL$/, ''))) {
      const match = endpoints.find(
        (e) => e.interface === wanted && (!opts.region || (e.region_id ?? e.region) === opts.region),
      );
      if (match) return match.url;
    }
    const region = opts.region ? ` in region ${opts.region}` : '';
    throw new EndpointNotFound(
      `no ${opts.interfaces.join('/')} endpoint for service type ${serviceType}${region} in the Keystone catalog`,
    );
  }

  /** Forget the token, e.g. after a service answered 401 to it; the next call re-authenticates. */
  invalidate(): void {
    this.issued = null;
  }

  private current(deadline: AbortSignal): Promise<IssuedToken> {
    const issued = this.issued;
    const now = Date.now();
    if (issued && now < issued.retireAt) {
      // Failures of a background renewal are logged where they happen; the next caller retries.
      if (now >= issued.renewAt) this.renew().catch(() => undefined);
      return Promise.resolve(issued);
    }
    return this.http.wait(this.renew(), deadline, `Keystone authentication at ${this.tokensUrl()}`, 'Keystone');
  }

  private renew(): Promise<IssuedToken> {
    this.issuing ??= this.authenticate()
      .then((token) => (this.issued = token))
      .finally(() => {
        this.issuing = null;
      });
    return this.issuing;
  }

  private tokensUrl(): string {
    return `${identityV3Url(this.options.authUrl)}/auth/tokens`;
  }

  private async authenticate(): Promise<IssuedToken> {
    const url = this.tokensUrl();
    const response = await this.http.fetch(
      url,
      {
        service: 'Keystone',
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ auth: { identity: this.identity(), ...this.scopeBody() } }),
      },
      this.http.deadline(),
    );
    const value = response.headers.get('x-subject-token');
    if (response.status !== 201 || !value) {
      // Bad service credentials are an operator problem; callers still only see "unavailable".
      const text = await safeText(response);
      throw this.http.unavailable(`Keystone authentication at ${url} answered ${response.status}: ${text}`, 'Keystone');
    }
    const body = (await response.json()) as { token: { expires_at: string; catalog?: CatalogService[] } };
    const expiresAt = Date.parse(body.token.expires_at);
    const lifetime = expiresAt - Date.now();
    return {
      value,
      renewAt: expiresAt - Math.min(RENEW_MARGIN_MS, lifetime / 2),
      retireAt: expiresAt - Math.min(RETIRE_MARGIN_MS, lifetime / 4),
      catalog: body.token.catalog ?? [],
    };
  }

  private identity(): Record<string, unknown> {
    const o = this.options;
    const user: Record<string, unknown> = { password: o.password };
    if (o.userId) {
      user.id = o.userId;
    } else {
      user.name = o.username;
      user.domain = domainRef(o.userDomainId ?? o.defaultDomainId, o.userDomainName ?? o.defaultDomainName);
    }
    return { methods: ['password'], password: { user } };
  }

  private scopeBody(): { scope?: Record<string, unknown> } {
    const o = this.options;
    if (o.systemScope) return { scope: { system: { [o.systemScope]: true } } };
    if (o.projectId) return { scope: { project: { id: o.projectId } } };
    if (o.projectName) {
      const domain = domainRef(o.projectDomainId ?? o.defaultDomainId, o.projectDomainName ?? o.defaultDomainName);
      return { scope: { project: { name: o.projectName, domain } } };
    }
    if (o.domainId) return { scope: { domain: { id: o.domainId } } };
    if (o.domainName) return { scope: { domain: { name: o.domainName } } };
    return {};
  }
}

function domainRef(id: string | null, name: string | null): Record<string, string> | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

async function safeText(response: Response): Promise<string> {
  try {
    return (await response.text()).slice(0, 500);
  } catch {
    return '';
  }
}

/** Who a validated Keystone token speaks for: the fields policy and the services use. */
export interface TokenIdentity {
  readonly userId: string | null;
  readonly userDomainId: string | null;
  readonly projectId: string | null;
  readonly projectName: string | null;
  readonly projectDomainId: string | null;
  readonly domainId: string | null;
  readonly systemScope: string | null;
  readonly roles: string[];
  readonly isAdminProject: boolean;
  readonly expiresAt: number;
}

/** The `token` object of a Keystone v3 `GET /v3/auth/tokens` answer (the parts read here). */
export interface KeystoneTokenBody {
  readonly expires_at: string;
  readonly user?: { id?: string; domain?: { id?: string } };
  readonly project?: { id?: string; name?: string; domain?: { id?: string } };
  readonly domain?: { id?: string };
  readonly system?: Record<string, boolean>;
  readonly roles?: ReadonlyArray<{ name?: string }>;
  readonly is_admin_project?: boolean;
}

/**
 * Reads a token the way keystonemiddleware fills its `X-*` headers and oslo.context its policy
 * values: `is_admin_project` is true unless Keystone says otherwise (it only says so when
 * `[resource] admin_project_name` is configured), and a system-scoped token has scope `all`.
 */
export function identityFromToken(token: KeystoneTokenBody): TokenIdentity {
  return {
    userId: token.user?.id ?? null,
    userDomainId: token.user?.domain?.id ?? null,
    projectId: token.project?.id ?? null,
    projectName: token.project?.name ?? null,
    projectDomainId: token.project?.domain?.id ?? null,
    domainId: token.domain?.id ?? null,
    systemScope: token.system?.all ? 'all' : null,
    roles: (token.roles ?? []).map((r) => r.name).filter((n): n is string => typeof n === 'string'),
    isAdminProject: token.is_admin_project ?? true,
    expiresAt: Date.parse(token.expires_at),
  };
}

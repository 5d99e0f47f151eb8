import { createHash } from 'node:crypto';
import { authenticatedFetch } from '../../openstack/authenticated-fetch';
import { KeystoneSession } from '../../openstack/keystone-session';
import { probeVersionDocument } from '../../openstack/probe';
import { Loaded, refreshAfter, RefreshingCache } from '../../openstack/refreshing-cache';
import { identityFromToken, KeystoneTokenBody, TokenIdentity } from './token-identity';

/**
 * Rejections are remembered only briefly: long enough to absorb a client retrying a bad token
 * in a loop, short enough that a token Keystone starts accepting is not refused for long.
 */
const INVALID_TOKEN_CACHE_MS = 5_000;
const MAX_CACHED_TOKENS = 10_000;
/** What can travel in an HTTP header; anything else cannot be a Keystone token. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,8192}$/;

/**
 * keystonemiddleware's token check: `GET /v3/auth/tokens` with the token in `X-Subject-Token`,
 * asked as the `[keystone_authtoken]` service user. A valid token is cached for
 * `token_cache_time` seconds (-1 disables caching) but never past its `expires_at`, so a revoked
 * token may be accepted until its cache entry lapses, exactly as with keystonemiddleware.
 * Concurrent requests with the same token share one validation, and a token still in use is
 * revalidated in the background before its entry lapses, so a busy token never makes requests
 * wait. Keystone being down is never cached and never an allow: it raises `ServiceUnavailable`.
 */
export class KeystoneTokenValidator {
  private readonly cache: RefreshingCache<string, TokenIdentity | null>;

  constructor(
    private readonly session: KeystoneSession,
    /** The Identity v3 root, e.g. `http://keystone:5000/v3`. */
    private readonly identityUrl: string,
    private readonly cacheSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new RefreshingCache(MAX_CACHED_TOKENS, now);
  }

  /** The token's identity, or null when Keystone does not accept it (invalid, expired, revoked). */
  async validate(token: string): Promise<TokenIdentity | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    // Keys are digests so the cache never holds usable tokens.
    const key = createHash('sha256').update(token).digest('hex');
    const identity = await this.cache.get(key, () => this.load(token));
    return identity && identity.expiresAt > this.now() ? identity : null;
  }

  /** Whether Keystone answers at all (`GET /v3`, no token), for the health check. */
  probe(deadline: AbortSignal): Promise<void> {
    return probeVersionDocument(this.session.http, this.identityUrl, deadline);
  }

  /** Releases the pooled connections to Keystone. */
  close(): Promise<void> {
    return this.session.http.close();
  }

  private async load(token: string): Promise<Loaded<TokenIdentity | null>> {
    const identity = await this.askKeystone(token);
    if (identity === null) return { value: null, ttlMs: INVALID_TOKEN_CACHE_MS };
    if (this.cacheSeconds < 0) return { value: identity, ttlMs: 0 };
    const cacheMs = this.cacheSeconds * 1000;
    const untilExpiry = identity.expiresAt - this.now();
    // Revalidating ahead only pays while the entry would lapse before the token itself does.
    if (untilExpiry <= cacheMs) return { value: identity, ttlMs: untilExpiry };
    return { value: identity, ttlMs: cacheMs, refreshAfterMs: refreshAfter(cacheMs) };
  }

  private async askKeystone(token: string): Promise<TokenIdentity | null> {
    const response = await authenticatedFetch(this.session, `${this.identityUrl}/auth/tokens?nocatalog`, {
      service: 'Keystone',
      headers: { 'X-Subject-Token': token },
    });
    // 404: unknown, expired or revoked; 400: not even a token.
    if (response.status === 404 || response.status === 400) {
      await response.body?.cancel();
      return null;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      // 403 here means the service user may not validate tokens: misconfiguration, fail closed.
      throw this.session.http.unavailable(
        `token validation answered ${response.status}; check the [keystone_authtoken] user's roles`,
      );
    }
    const body = (await response.json()) as { token: KeystoneTokenBody };
    const identity = identityFromToken(body.token);
    return identity.expiresAt > this.now() ? identity : null;
  }
}

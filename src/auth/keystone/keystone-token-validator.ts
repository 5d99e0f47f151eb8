import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ServiceUnavailable } from '../../common/errors/esi-leap.exceptions';
import { authenticatedFetch } from '../../openstack/authenticated-fetch';
import { KeystoneSession } from '../../openstack/keystone-session';
import { TtlCache } from '../../openstack/ttl-cache';
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
 * Keystone being down is never cached and never an allow: it raises `ServiceUnavailable`.
 */
export class KeystoneTokenValidator {
  private readonly logger = new Logger('esi-leap.auth');
  private readonly cache: TtlCache<string, TokenIdentity | null>;

  constructor(
    private readonly session: KeystoneSession,
    /** The Identity v3 root, e.g. `http://keystone:5000/v3`. */
    private readonly identityUrl: string,
    private readonly cacheSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new TtlCache(MAX_CACHED_TOKENS, now);
  }

  /** The token's identity, or null when Keystone does not accept it (invalid, expired, revoked). */
  async validate(token: string): Promise<TokenIdentity | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    // Keys are digests so the cache never holds usable tokens.
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached && cached.expiresAt > this.now() ? cached : null;
    const identity = await this.askKeystone(token);
    if (identity === null) {
      this.cache.set(key, null, INVALID_TOKEN_CACHE_MS);
    } else if (this.cacheSeconds >= 0) {
      this.cache.set(key, identity, Math.min(this.cacheSeconds * 1000, identity.expiresAt - this.now()));
    }
    return identity;
  }

  private async askKeystone(token: string): Promise<TokenIdentity | null> {
    const response = await authenticatedFetch(this.session, `${this.identityUrl}/auth/tokens?nocatalog`, {
      service: 'Keystone',
      headers: { 'X-Subject-Token': token },
    });
    // 404: unknown, expired or revoked; 400: not even a token.
    if (response.status === 404 || response.status === 400) return null;
    if (response.status !== 200) {
      // 403 here means the service user may not validate tokens: misconfiguration, fail closed.
      this.logger.error(`token validation answered ${response.status}; check the [keystone_authtoken] user's roles`);
      throw new ServiceUnavailable({ service: 'Keystone' });
    }
    const body = (await response.json()) as { token: KeystoneTokenBody };
    const identity = identityFromToken(body.token);
    return identity.expiresAt > this.now() ? identity : null;
  }
}

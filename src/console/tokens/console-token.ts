import { createHash, randomUUID } from 'node:crypto';
import { ClientError, InvalidTokenTTL } from '../../common/errors/esi-leap.exceptions';
import { pyRepr, pyTypeName } from '../../common/http/python-repr';

/** The `expires` column is a signed 32-bit INTEGER on MySQL. */
const LATEST_EXPIRY = 2 ** 31 - 1;

/** A fresh token: a random UUID v4 string, as upstream (clients treat it as opaque). */
export function newConsoleToken(): string {
  return randomUUID();
}

/** Only this digest is stored, so a database leak reveals no usable token. */
export function hashConsoleToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * `int(token_ttl)` with Python's rules and messages, as upstream: integral strings (surrounding
 * whitespace and digit underscores allowed) and numbers (truncated) pass; anything else is the
 * ValueError/TypeError text, as a 400 (upstream 500). `null` means not given.
 */
export function parseTokenTtl(raw: unknown, defaultTtl: number): number {
  if (raw === undefined || raw === null) return defaultTtl;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number') return Math.trunc(raw);
  if (typeof raw === 'string') {
    if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(raw)) {
      throw new ClientError(`invalid literal for int() with base 10: ${pyRepr(raw)}`);
    }
    return Number(raw.replace(/_/g, '').trim());
  }
  throw new ClientError(
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(raw)}'`,
  );
}

/** Expiry in epoch seconds; a TTL that is not positive, or runs past what the column holds, is refused. */
export function tokenExpiry(nowEpochSeconds: number, ttl: number): number {
  const expires = Math.floor(nowEpochSeconds) + ttl;
  if (ttl <= 0 || !Number.isSafeInteger(expires) || expires > LATEST_EXPIRY) throw new InvalidTokenTTL();
  return expires;
}

export interface ProxyAddress {
  readonly publicUrl: string | null;
  readonly hostAddress: string;
  readonly port: number;
}

/**
 * Where clients open the console: `[serialconsoleproxy] public_url` when set (it may be
 * `wss://` behind a TLS terminator), else the listen address as upstream.
 */
export function consoleAccessUrl(proxy: ProxyAddress, token: string): string {
  const host = proxy.hostAddress.includes(':') ? `[${proxy.hostAddress}]` : proxy.hostAddress;
  const base = proxy.publicUrl ?? `ws://${host}:${proxy.port}`;
  return `${base.replace(/\/+$/, '')}/?token=${encodeURIComponent(token)}`;
}

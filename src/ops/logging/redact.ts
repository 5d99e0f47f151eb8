const MASK = '***';

/** `scheme://user:password@host`: keep the user, hide the password (database and broker URLs). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s/]+@/gi;
/** `name: value` / `name=value` / `"name":"value"` for the credentials a request or config carries. */
const CREDENTIAL =
  /\b(x-auth-token|x-subject-token|x-service-token|auth_token|authorization|password|passwd|secret|memcache_secret_key)(["']?\s*[:=]\s*["']?)((?:bearer|basic)\s+)?[^\s"',;&}]+/gi;
const SENSITIVE_KEY = /^(x-auth-token|x-subject-token|x-service-token|auth_?token|authorization|password|passwd|secret|memcache_secret_key|token)$/i;

export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}@`).replace(CREDENTIAL, `$1$2$3${MASK}`);
}

/**
 * A copy of a log message with credentials masked: strings are scanned, object keys that name a
 * credential lose their value. Errors keep their identity so the logger still prints the stack.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || value instanceof Error || depth > 5) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SENSITIVE_KEY.test(key) ? MASK : redactValue(item, depth + 1)]),
  );
}

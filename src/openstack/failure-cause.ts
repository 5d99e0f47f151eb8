/**
 * Why an outbound call got no answer, in words an operator can act on. `fetch` reports every
 * transport problem as "fetch failed"; the reason is in its `cause` chain (a Node system error,
 * a TLS error or an undici error, each with a `code`).
 */
export type FailureKind = 'timeout' | 'certificate' | 'tls' | 'refused' | 'dns' | 'reset' | 'other';

export interface FailureCause {
  readonly kind: FailureKind;
  /** e.g. `certificate not trusted: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)` */
  readonly text: string;
}

interface ErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly cause?: unknown;
}

/** Node's and OpenSSL's codes for a server certificate that does not verify. */
const CERTIFICATE_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;
const TLS_CODES = /^(ERR_SSL_|ERR_TLS_|EPROTO$)/;
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

const LABELS: Record<Exclude<FailureKind, 'timeout' | 'other'>, string> = {
  certificate: 'certificate not trusted',
  tls: 'TLS handshake failed',
  refused: 'connection refused',
  dns: 'DNS lookup failed',
  reset: 'connection closed by the server',
};

/** `elapsedMs`: how long the call had run, reported for a time-out. */
export function failureCause(err: unknown, elapsedMs: number): FailureCause {
  const chain = causeChain(err);
  if (chain.some((e) => e.name === 'TimeoutError' || TIMEOUT_CODES.has(e.code ?? ''))) {
    return { kind: 'timeout', text: `timed out: no answer after ${Math.round(elapsedMs)} ms` };
  }
  for (const e of [...chain].reverse()) {
    const kind = kindOf(e.code ?? '');
    if (kind) return { kind, text: `${LABELS[kind]}: ${e.message ?? ''} (${e.code})` };
  }
  const innermost = chain[chain.length - 1];
  return { kind: 'other', text: innermost?.message || String(err) };
}

function kindOf(code: string): Exclude<FailureKind, 'timeout' | 'other'> | null {
  if (CERTIFICATE_CODES.test(code)) return 'certificate';
  if (TLS_CODES.test(code)) return 'tls';
  if (code === 'ECONNREFUSED') return 'refused';
  if (DNS_CODES.has(code)) return 'dns';
  if (RESET_CODES.has(code)) return 'reset';
  return null;
}

/** The error and its causes, outermost first (AggregateErrors of a dual-stack connect included). */
function causeChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 8) {
    const e = current as ErrorLike & { errors?: unknown[] };
    chain.push(e);
    current = e.cause ?? e.errors?.[0];
  }
  return chain;
}

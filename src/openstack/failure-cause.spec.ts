import { failureCause } from './failure-cause';

/** What undici's fetch rejects with: "fetch failed" and the real error as its cause. */
function fetchFailed(cause: Error & { code?: string }): TypeError {
  return new TypeError('fetch failed', { cause });
}

function systemError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

describe('failureCause', () => {
  it.each([
    [
      'an untrusted certificate',
      fetchFailed(systemError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN')),
      'certificate',
      'certificate not trusted: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)',
    ],
    [
      'a name mismatch',
      fetchFailed(systemError("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID')),
      'certificate',
      "certificate not trusted: Hostname/IP does not match certificate's altnames (ERR_TLS_CERT_ALTNAME_INVALID)",
    ],
    [
      'a refused client certificate',
      fetchFailed(systemError('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')),
      'tls',
      'TLS handshake failed: tlsv13 alert certificate required (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
    ],
    [
      'a refused connection',
      fetchFailed(systemError('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED')),
      'refused',
      'connection refused: connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)',
    ],
    [
      'an unknown host',
      fetchFailed(systemError('getaddrinfo ENOTFOUND keystone.invalid', 'ENOTFOUND')),
      'dns',
      'DNS lookup failed: getaddrinfo ENOTFOUND keystone.invalid (ENOTFOUND)',
    ],
    [
      'a dropped connection',
      fetchFailed(systemError('other side closed', 'UND_ERR_SOCKET')),
      'reset',
      'connection closed by the server: other side closed (UND_ERR_SOCKET)',
    ],
    [
      'an abort by time-out',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'timeout',
      'timed out: no answer after 1500 ms',
    ],
    [
      "undici's connect time-out",
      fetchFailed(systemError('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT')),
      'timeout',
      'timed out: no answer after 1500 ms',
    ],
  ])('names %s', (_label, err, kind, text) => {
    expect(failureCause(err, 1500.4)).toEqual({ kind, text });
  });

  it('finds a refusal inside the AggregateError of a dual-stack connect', () => {
    const both = new AggregateError([systemError('connect ECONNREFUSED ::1:5000', 'ECONNREFUSED')], '');
    expect(failureCause(fetchFailed(both), 0).kind).toBe('refused');
  });

  it('falls back to the innermost message', () => {
    expect(failureCause(fetchFailed(new Error('something odd')), 0)).toEqual({ kind: 'other', text: 'something odd' });
  });
});

import { Response } from 'undici';
import { KeystoneSession } from './keystone-session';
import { OutboundRequest } from './outbound-http';

export interface AuthenticatedRequest extends OutboundRequest {
  /** Named in the 503 a failure turns into, e.g. `Keystone`, `Ironic`. */
  readonly service: string;
}

/**
 * A call to an OpenStack API with the session's service token, within one deadline (the
 * session's `call_timeout` unless the caller passes its own). A 401 means the token was revoked
 * or expired early: the session re-authenticates and the call is tried once more. Unreachable
 * services, time-outs and 5xx answers become `ServiceUnavailable` (503); every other answer is
 * the caller's to interpret.
 */
export async function authenticatedFetch(
  session: KeystoneSession,
  url: string,
  request: AuthenticatedRequest,
  deadline: AbortSignal = session.http.deadline(),
): Promise<Response> {
  let response = await send(session, url, request, deadline);
  if (response.status === 401) {
    await response.body?.cancel();
    session.invalidate();
    response = await send(session, url, request, deadline);
  }
  if (response.status >= 500 || response.status === 401) {
    await response.body?.cancel();
    throw session.http.unavailable(`${request.method ?? 'GET'} ${url} answered ${response.status}`, request.service);
  }
  return response;
}

async function send(
  session: KeystoneSession,
  url: string,
  request: AuthenticatedRequest,
  deadline: AbortSignal,
): Promise<Response> {
  const token = await session.token(deadline);
  return session.http.fetch(
    url,
    { ...request, headers: { Accept: 'application/json', ...request.headers, 'X-Auth-Token': token } },
    deadline,
  );
}

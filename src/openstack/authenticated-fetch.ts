import { Logger } from '@nestjs/common';
import { ServiceUnavailable } from '../common/errors/esi-leap.exceptions';
import { KeystoneSession } from './keystone-session';

const logger = new Logger('esi-leap.openstack');

export interface AuthenticatedRequest {
  /** Named in the 503 a failure turns into, e.g. `Keystone`, `Ironic`. */
  readonly service: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * A call to an OpenStack API with the session's service token. A 401 means the token was
 * revoked or expired early: the session re-authenticates and the call is tried once more.
 * Unreachable services, time-outs and 5xx answers become `ServiceUnavailable` (503); every other
 * answer is the caller's to interpret.
 */
export async function authenticatedFetch(
  session: KeystoneSession,
  url: string,
  request: AuthenticatedRequest,
): Promise<Response> {
  let response = await send(session, url, request);
  if (response.status === 401) {
    session.invalidate();
    response = await send(session, url, request);
  }
  if (response.status >= 500 || response.status === 401) {
    logger.error(`${request.method ?? 'GET'} ${url} answered ${response.status}`);
    throw new ServiceUnavailable({ service: request.service });
  }
  return response;
}

async function send(session: KeystoneSession, url: string, request: AuthenticatedRequest): Promise<Response> {
  const token = await session.token();
  try {
    return await fetch(url, {
      method: request.method ?? 'GET',
      headers: { Accept: 'application/json', ...request.headers, 'X-Auth-Token': token },
      body: request.body,
      signal: AbortSignal.timeout(session.timeoutMs),
    });
  } catch (err) {
    logger.error(`${request.method ?? 'GET'} ${url} failed: ${String(err)}`);
    throw new ServiceUnavailable({ service: request.service });
  }
}

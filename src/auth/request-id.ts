import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID = /^req-[0-9a-f-]{36}$/;

/**
 * Gives the request its `X-Openstack-Request-Id` and echoes it on the response: a well-formed
 * id sent by the caller is kept (as oslo.middleware does for global request ids), otherwise a
 * new `req-<uuid>`.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const sent = req.headers['x-openstack-request-id'];
  const requestId = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : `req-${randomUUID()}`;
  res.setHeader('X-Openstack-Request-Id', requestId);
  return requestId;
}

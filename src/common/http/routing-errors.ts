import { ClientError, RoutingError } from '../errors/esi-leap.exceptions';

/**
 * The collections and items upstream routes below `/v1`. A wrong method on one of them is a 405;
 * deeper paths (including `/v1/offers/{id}/claim` with another method than POST) are a 404.
 */
const ROUTES: ReadonlyArray<{ pattern: RegExp; methods: readonly string[] }> = [
  { pattern: /^\/v1\/offers$/, methods: ['GET', 'POST'] },
  { pattern: /^\/v1\/offers\/[^/]+$/, methods: ['GET', 'DELETE'] },
  { pattern: /^\/v1\/leases$/, methods: ['GET', 'POST'] },
  { pattern: /^\/v1\/leases\/[^/]+$/, methods: ['GET', 'PATCH', 'DELETE'] },
  { pattern: /^\/v1\/nodes$/, methods: ['GET'] },
  { pattern: /^\/v1\/events$/, methods: ['GET'] },
  { pattern: /^\/v1\/console_auth_tokens$/, methods: ['POST'] },
  { pattern: /^\/v1\/console_auth_tokens\/[^/]+$/, methods: ['DELETE'] },
];

const NOT_FOUND = new RoutingError(404, '404 Not Found\n\nThe resource could not be found.\n\n   ');

export function methodNotAllowed(method: string): RoutingError {
  return new RoutingError(405, `405 Method Not Allowed\n\nThe method ${method} is not allowed for this resource. \n\n `);
}

/**
 * What pecan answers for a request no route took: 405 for a known path with
 * another method or an unknown collection directly under /v1, 404 for deeper unknown paths.
 */
export function routingErrorFor(method: string, rawPath: string): Error {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  if (method === 'DELETE' && path === '/v1/leases') return new ClientError('Missing argument: "lease_id"');
  if (method === 'DELETE' && path === '/v1/offers') return new ClientError('Missing argument: "offer_id"');
  if (ROUTES.some((route) => route.pattern.test(path))) return methodNotAllowed(method);
  if (/^\/v1\/[^/]+$/.test(path)) return methodNotAllowed(method);
  return NOT_FOUND;
}

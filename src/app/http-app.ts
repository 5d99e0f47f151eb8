import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { KeystoneAuthentication } from '../auth/keystone/keystone-authentication';
import { EsiLeapExceptionFilter } from '../common/errors/esi-leap-exception.filter';
import { jsonBodyMiddleware } from '../common/http/json-body.middleware';
import { jsonResponses } from '../common/http/json-response';
import { queryLengthLimit, rateLimit } from '../common/http/request-limits';
import { methodNotAllowed } from '../common/http/routing-errors';
import { identityFromHeaders } from '../auth/noauth-identity';
import { ContextualRequest } from '../auth/request-context';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { RequestObserver } from '../ops/logging/request-observer';
import { setUpOpenApi } from '../ops/openapi/openapi-document';
import { isOpsPath } from '../ops/ops-paths';
import { webConsoleAssets } from '../web-console/web-console-assets';
import { WEB_CONSOLE_SESSION_PATH } from '../web-console/web-console-paths';

/**
 * Express-level set-up shared by the server and the e2e tests. Must run before `init()`:
 * these middlewares sit in front of Nest's routes.
 */
export function configureHttpApp(app: INestApplication): void {
  const filter = new EsiLeapExceptionFilter();
  // Outermost: it fixes the request id and must see every response, refusals included.
  app.use(app.get(RequestObserver, { strict: false }).middleware);
  const config = app.get<string, EsiLeapConfig>(ESI_LEAP_CONFIG, { strict: false });
  app.use(
    jsonResponses({
      gzipLevel: config.api.response_gzip_level,
      gzipMinSize: config.api.response_gzip_min_size,
      publicEndpoint: config.api.public_endpoint ?? undefined,
    }),
  );
  // The web console's static files: public, and never counted against a project's rate limit.
  app.use(webConsoleAssets());
  app.use(queryLengthLimit(config.api.max_query_length));
  // Null in noauth mode. Authentication comes first, as keystonemiddleware wraps the whole app.
  const keystone = app.get(KeystoneAuthentication, { strict: false }) as KeystoneAuthentication | null;
  if (keystone) app.use(skipForOpsPaths(keystone.middleware));
  app.use(rejectHeadAndOptions);
  // After authentication, so that a token's project is what is counted.
  // Probes and scrapers (and the root document) are never limited: a 429 would fail a health check.
  const limit = rateLimit({
    limit: config.api.rate_limit,
    periodSeconds: config.api.rate_limit_period,
    projectOf: projectOf(config),
  });
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path === '/' || isOpsPath(req.path) ? next() : limit(req, res, next),
  );
  app.use(jsonBodyMiddleware(config.api.max_request_body_size));
  // Errors raised by the Express-level middlewares above never reach Nest's filters.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => filter.render(err, req, res));
  setUpOpenApi(app);
}

/** The project a request counts against for `[api] rate_limit`: the token's, or the noauth headers'. */
function projectOf(config: EsiLeapConfig): (req: Request) => string | null {
  const fallback = {
    projectId: config.noauth.project_id,
    projectName: config.noauth.project_name,
    roles: config.noauth.roles,
  };
  return (req) =>
    (req as Request & ContextualRequest).esiLeapContext?.creds.project_id ??
    (config.pecan.auth_enable ? null : identityFromHeaders(req.headers, fallback).creds.project_id);
}

/**
 * Health probes and metric scrapers carry no token: like `/`, those paths skip authentication;
 * so does the web console's sign-in, which is how a browser gets one.
 */
function skipForOpsPaths(authenticate: RequestHandler): RequestHandler {
  return (req, res, next) =>
    isOpsPath(req.path) || req.path === WEB_CONSOLE_SESSION_PATH ? next() : authenticate(req, res, next);
}

/** pecan answers 405 to HEAD and OPTIONS anywhere under /v1, and so do we. */
function rejectHeadAndOptions(req: Request, _res: Response, next: NextFunction): void {
  if ((req.method === 'HEAD' || req.method === 'OPTIONS') && req.path.startsWith('/v1')) {
    next(methodNotAllowed(req.method));
    return;
  }
  next();
}

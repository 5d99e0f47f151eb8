import { Injectable, Logger, Optional } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ContextualRequest } from '../../auth/request-context';
import { IdleHeapCollector } from '../../common/garbage-collection';
import { HEALTH_PATH } from '../health/health.controller';
import { EsiLeapMetrics, UNMATCHED_ROUTE } from '../metrics/esi-leap-metrics';
import { METRICS_PATH } from '../metrics/metrics.controller';

const REQUEST_ID_HEADER = 'x-openstack-request-id';
/** The format oslo.middleware and the auth layers accept from a caller. */
const REQUEST_ID = /^req-[0-9a-f-]{36}$/;
/** Probes and scrapes arrive every few seconds: log them only at debug level. */
const QUIET_PATHS = new Set([HEALTH_PATH, METRICS_PATH]);

/**
 * The outermost Express middleware: fixes the request id, then when the response is finished
 * writes one JSON log line and, with `[metrics] enabled`, the request metrics, and restarts the
 * quiet period of the IdleHeapCollector.
 */
@Injectable()
export class RequestObserver {
  private readonly logger = new Logger('esi-leap.http');

  constructor(
    private readonly heap: IdleHeapCollector,
    @Optional() private readonly metrics?: EsiLeapMetrics,
  ) {}

  readonly middleware = (req: Request & ContextualRequest, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    // Written back so that the auth layers, which keep a well-formed caller id, use this same id.
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader('X-Openstack-Request-Id', requestId);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      this.metrics?.observeRequest(req.method, route, res.statusCode, seconds);
      this.heap.noteWork();
      const line = {
        event: 'http.request',
        request_id: requestId,
        method: req.method,
        route,
        path: req.path,
        status: res.statusCode,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        project_id: req.esiLeapContext?.creds.project_id ?? null,
      };
      if (QUIET_PATHS.has(req.path)) this.logger.debug(line);
      else this.logger.log(line);
    });
    next();
  };
}

function requestIdOf(req: Request): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : `req-${randomUUID()}`;
}

/** The route template (`/v1/leases/:ident`), never the raw path: label values must stay few. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { Request, Response } from 'express';
import { routingErrorFor } from '../http/routing-errors';
import { sendJson } from '../http/json-response';
import { databaseErrorResponse, describeDriverError } from './database-errors';
import { EsiLeapException, RoutingError, ServiceUnavailable } from './esi-leap.exceptions';

/**
 * The one place errors become HTTP: `{faultcode, faultstring, debuginfo}`, `Client` for 4xx
 * and `Server` otherwise. A database that cannot be used is a 503 naming it, a value it cannot
 * store a 400; other unexpected errors are logged and answered with a 500 that names no
 * internals.
 */
@Catch()
export class EsiLeapExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('esi-leap.api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.render(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }

  render(exception: unknown, req: Request, res: Response): void {
    if (res.headersSent) return;
    const error = this.translate(exception, req);
    if (error instanceof RoutingError) {
      res.status(error.status).setHeader('Content-Type', 'text/plain; charset=UTF-8');
      res.end(error.body);
      return;
    }
    if (error.status >= 500 && !(error instanceof ServiceUnavailable)) {
      this.logger.error(`${req.method} ${req.originalUrl}: ${String(exception)}`, (exception as Error)?.stack);
    }
    sendJson(res, error.status, {
      faultcode: error.status < 500 ? 'Client' : 'Server',
      faultstring: error.message,
      debuginfo: null,
      ...(error instanceof EsiLeapException ? error.details : undefined),
    });
  }

  private translate(exception: unknown, req: Request): EsiLeapException | RoutingError {
    if (exception instanceof EsiLeapException || exception instanceof RoutingError) return exception;
    if (exception instanceof NotFoundException && isUnmatchedRoute(exception)) {
      return routingErrorFor(req.method, req.path) as EsiLeapException | RoutingError;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return Object.assign(new EsiLeapException(status < 500 ? exception.message : undefined), { status });
    }
    const database = databaseErrorResponse(exception);
    if (database instanceof ServiceUnavailable) {
      this.logger.error(`${req.method} ${req.originalUrl}: database unavailable (${describeDriverError(exception)})`);
    } else if (database) {
      // Input validation should have caught it first: worth a look, not an alarm.
      this.logger.warn(`${req.method} ${req.originalUrl}: the database refused a value: ${String(exception)}`);
    }
    return database ?? new EsiLeapException();
  }
}

/** Nest's router answers an unknown route with a NotFoundException "Cannot GET /path". */
function isUnmatchedRoute(exception: NotFoundException): boolean {
  return /^Cannot [A-Z]+ /.test(exception.message);
}

import { NextFunction, Request, RequestHandler, Response } from 'express';
import { ClientError } from '../errors/esi-leap.exceptions';

/** `[api] max_query_length`: 0 turns the check off. */
export function queryLengthLimit(maxBytes: number): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (maxBytes > 0) {
      const mark = req.originalUrl.indexOf('?');
      const length = mark < 0 ? 0 : Buffer.byteLength(req.originalUrl.slice(mark + 1));
      if (length > maxBytes) {
        next(new ClientError(`Request-URI Too Long: the query string is longer than ${maxBytes} bytes.`, 414));
        return;
      }
    }
    next();
  };
}

export interface RateLimitOptions {
  /** Requests per project per window; 0 turns limiting off. */
  readonly limit: number;
  readonly periodSeconds: number;
  /** The project a request is counted against (null: counted together as anonymous). */
  readonly projectOf: (req: Request) => string | null;
  readonly now?: () => number;
}

/**
 * `[api] rate_limit` per project, in fixed windows of `rate_limit_period` seconds, counted in
 * this process (each API process counts on its own). Over the limit → 429 with `Retry-After`
 * (seconds until the window ends). All counters are dropped when a window ends, so the memory
 * held is bounded by the projects seen in one window.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const periodMs = options.periodSeconds * 1000;
  let windowStart = now();
  let counts = new Map<string, number>();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.limit <= 0) return next();
    const t = now();
    if (t - windowStart >= periodMs) {
      windowStart = t - ((t - windowStart) % periodMs);
      counts = new Map();
    }
    const project = options.projectOf(req) ?? '';
    const count = (counts.get(project) ?? 0) + 1;
    counts.set(project, count);
    if (count > options.limit) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + periodMs - t) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      next(
        new ClientError(
          `Rate limit exceeded for project ${project || 'None'}: at most ${options.limit} requests per ${options.periodSeconds} seconds. Retry after ${retryAfter} seconds.`,
          429,
        ),
      );
      return;
    }
    next();
  };
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { map, Observable } from 'rxjs';

/** Marks a handler result of JSON `null` (DELETE answers `null`, which Nest would send as no body). */
class JsonNull {}
const JSON_NULL = new JsonNull();

/**
 * Upstream answers `Content-Type: application/json` with no charset parameter (api.md 1.4);
 * Express's `res.json` would add one. Every JSON reply goes through here.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body instanceof JsonNull ? null : body) ?? 'null';
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function jsonResponseMiddleware(_req: Request, res: Response, next: NextFunction): void {
  res.json = function json(this: Response, body: unknown) {
    sendJson(this, this.statusCode, body);
    return this;
  };
  next();
}

@Injectable()
export class JsonNullInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((body: unknown) => (body === null || body === undefined ? JSON_NULL : body)));
  }
}

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { map, Observable } from 'rxjs';

/** Marks a handler result of JSON `null` (DELETE answers `null`, which Nest would send as no body). */
class JsonNull {}
const JSON_NULL = new JsonNull();

/**
 * A list body, `{"<key>": [row, …]}`, whose rows are produced (rendered) one at a time while
 * the response is written. A whole-table list is tens of megabytes of JSON: building every
 * row's view, then one string and one buffer of the whole body, held all of it at once (and
 * twice under two connections). The bytes are exactly those of `JSON.stringify` of the object.
 * The rows are iterated once.
 */
export class JsonList {
  constructor(
    readonly key: string,
    readonly rows: Iterable<unknown>,
  ) {}

  toJSON(): Record<string, unknown[]> {
    return { [this.key]: Array.from(this.rows) };
  }
}

/** Rows rendered and serialised per chunk: about 60–80 KB of JSON for offers, leases or nodes. */
const ROWS_PER_CHUNK = 100;

/**
 * Upstream answers `Content-Type: application/json` with no charset parameter (api.md 1.4);
 * Express's `res.json` would add one. Every JSON reply goes through here.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  if (body instanceof JsonList) {
    streamList(res, body).catch((err: unknown) => res.destroy(err as Error));
    return;
  }
  const text = JSON.stringify(body instanceof JsonNull ? null : body) ?? 'null';
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Writes a JsonList ROWS_PER_CHUNK rows at a time, waiting for the socket to drain between
 * chunks, so that only a chunk of rendered rows is alive per response. A list that fits in one
 * chunk is sent whole with its Content-Length; a longer one goes out chunked. The rows are
 * rendered from data already read, so nothing expected can fail once the first chunk is out.
 */
async function streamList(res: Response, list: JsonList): Promise<void> {
  let pending = `{${JSON.stringify(list.key)}:[`;
  let separator = '';
  let batch: unknown[] = [];
  // One JSON.stringify per batch (an array, brackets cut off) is faster than one per row.
  const serialise = () => {
    const text = `${separator}${JSON.stringify(batch).slice(1, -1)}`;
    separator = ',';
    batch = [];
    return text;
  };
  for (const row of list.rows) {
    batch.push(row);
    if (batch.length < ROWS_PER_CHUNK) continue;
    const chunk = pending + serialise();
    pending = '';
    if (res.destroyed) return;
    if (!res.write(chunk)) await drained(res);
  }
  if (res.destroyed) return;
  const rest = `${pending}${batch.length > 0 ? serialise() : ''}]}`;
  if (!res.headersSent) res.setHeader('Content-Length', Buffer.byteLength(rest));
  res.end(rest);
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || !res.writableNeedDrain) {
      resolve();
      return;
    }
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
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

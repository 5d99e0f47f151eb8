import { Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { databaseErrorResponse } from '../errors/database-errors';
import { EsiLeapException } from '../errors/esi-leap.exceptions';
import { stringifyJson } from './lossless-json';

/**
 * What a handler returns to answer a JSON `null` body (upstream's DELETEs): Nest sends a `null`
 * result as an empty body. A marker returned by the few handlers concerned, rather than an
 * interceptor on every route: Nest's interceptor chain cost ~15 % of a show request's CPU.
 */
class JsonNull {}
export const JSON_NULL = new JsonNull();

/**
 * A list body, `{"<key>": [row, …]}`, whose rows come in pages that are read from the
 * database, and rendered, while the response is written. A whole-table list is tens of
 * megabytes of JSON: reading every row, building every view, then one string and one buffer
 * of the whole body held all of it at once (and twice under two connections); this holds one
 * page of entities and one chunk of views. The bytes are exactly those of `stringifyJson` of
 * the object. A page that fails after the first bytes went out can only abort the response
 * (see `abortList`): read the first page before answering, so that the usual errors become the
 * usual fault bodies.
 */
export class PagedJsonList {
  constructor(
    readonly key: string,
    readonly pages: AsyncIterable<Iterable<unknown>>,
  ) {}

  toJSON(): never {
    throw new Error('a PagedJsonList is written by sendJson only');
  }
}

const logger = new Logger('esi-leap.api');

/** Rows rendered and serialised per chunk: about 60–80 KB of JSON for offers, leases or nodes. */
const ROWS_PER_CHUNK = 100;

/**
 * Upstream answers `Content-Type: application/json` with no charset parameter; Express's
 * `res.json` would add one. Every JSON reply goes through here, and numbers read from a body or
 * a stored `properties` text are written back as they were (lossless-json.ts).
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  if (body instanceof PagedJsonList) {
    streamList(res, body.key, body.pages).catch((err: unknown) => abortList(res, err));
    return;
  }
  const text = stringifyJson(body instanceof JsonNull ? null : body);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const COMMA = 0x2c;
const LIST_END = Buffer.from(']}');
const EMPTY_LIST_END = Buffer.from('[]}');

/**
 * Writes a list ROWS_PER_CHUNK rows at a time, waiting for the socket to drain between chunks,
 * so that only a chunk of rendered rows and one page of entities are alive per response. A
 * list that fits in one chunk is sent whole with its Content-Length; a longer one goes out
 * chunked. A client that goes away stops the iteration (and the reading of further pages).
 *
 * Each chunk is one `stringifyJson` of the batch (faster than one per row), encoded once into
 * a Buffer whose brackets become the separators: cutting and joining strings instead made
 * string slices and concatenations that the socket then had to flatten, a copy of the whole
 * body on the JS heap (docs/performance.md).
 */
async function streamList(
  res: Response,
  key: string,
  pages: AsyncIterable<Iterable<unknown>>,
): Promise<void> {
  let pending: Buffer[] = [Buffer.from(`{${JSON.stringify(key)}:`)];
  let first = true;
  let batch: unknown[] = [];
  // `[row,…,row]` as `[row,…,row` for the first chunk and `,row,…,row` for the next ones.
  const serialise = (): Buffer => {
    const encoded = Buffer.from(stringifyJson(batch));
    batch = [];
    if (!first) encoded[0] = COMMA;
    first = false;
    return encoded.subarray(0, encoded.length - 1);
  };
  for await (const page of pages) {
    for (const row of page) {
      batch.push(row);
      if (batch.length < ROWS_PER_CHUNK) continue;
      pending.push(serialise());
      const chunk = joined(pending);
      pending = [];
      if (res.destroyed) return;
      if (!res.write(chunk)) await drained(res);
    }
    if (res.destroyed) return;
  }
  if (res.destroyed) return;
  if (batch.length > 0) pending.push(serialise());
  pending.push(first ? EMPTY_LIST_END : LIST_END);
  const rest = joined(pending);
  if (!res.headersSent) res.setHeader('Content-Length', rest.length);
  res.end(rest);
}

function joined(parts: Buffer[]): Buffer {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * A list that failed while being written (a page read failed: the database went away, a
 * deadlock victim, …). Before the first chunk the client still gets a fault body (503 for a
 * database that went away, else 500);
 * after it, the status line and part of the body are out, so the only honest signal left is
 * to cut the connection: the chunked body never gets its terminating chunk, and no client can
 * take the truncated list for a whole one. Logged once, here.
 */
function abortList(res: Response, err: unknown): void {
  const req = res.req as Request | undefined;
  const where = req ? `${req.method} ${req.originalUrl}` : 'list response';
  if (res.destroyed) {
    logger.warn(`${where}: list failed after the client went away: ${String(err)}`);
    return;
  }
  if (!res.headersSent) {
    logger.error(`${where}: ${String(err)}`, (err as Error)?.stack);
    const error = databaseErrorResponse(err) ?? new EsiLeapException();
    sendJson(res, error.status, { faultcode: error.status < 500 ? 'Client' : 'Server', faultstring: error.message, debuginfo: null });
    return;
  }
  logger.error(
    `${where}: list aborted after ${res.statusCode} and part of the body were sent: ${String(err)}`,
    (err as Error)?.stack,
  );
  res.destroy();
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

import { Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { createGzip, gzip } from 'node:zlib';
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
    readonly pages: AsyncIterable<Iterable<unknown>> | Iterable<Iterable<unknown>>,
    readonly options: PagedJsonListOptions = {},
  ) {}

  toJSON(): never {
    throw new Error('a PagedJsonList is written by sendJson only');
  }
}

export interface PagedJsonListOptions {
  /** Keys written before the list. */
  readonly head?: Record<string, unknown>;
  /**
   * Keys written after the list once every row is out (a paged list's `next`), given the
   * request and `[api] public_endpoint`; none when it returns no keys.
   */
  readonly trailer?: (req: Request, publicEndpoint: string | undefined) => Record<string, unknown>;
  /**
   * Rows rendered and serialised per chunk (default ROWS_PER_CHUNK): fewer for rows much
   * larger than an offer, lease or node, so that a chunk stays a few tens of kilobytes.
   */
  readonly rowsPerChunk?: number;
}

const logger = new Logger('esi-leap.api');

/** How JSON replies are written: the `[api]` response options. */
export interface JsonResponseOptions {
  /** gzip level (1–9) for a client that accepts gzip; 0 never compresses. */
  readonly gzipLevel: number;
  /** Bodies shorter than this many bytes are sent as they are. */
  readonly gzipMinSize: number;
  /** `[api] public_endpoint`: the base of URLs the API writes into bodies (a list's `next`). */
  readonly publicEndpoint?: string;
}

const NO_OPTIONS: JsonResponseOptions = { gzipLevel: 0, gzipMinSize: 0 };
const optionsOf = new WeakMap<Response, JsonResponseOptions>();

/**
 * The compression a reply of `size` bytes (or at least `size`, for a list still being written)
 * gets: null when its bytes do not depend on the request's Accept-Encoding at all (compression
 * off, or a body below the threshold), so such replies stay exactly as they always were.
 */
function compressionFor(res: Response, size: number): { gzip: boolean; level: number } | null {
  const options = optionsOf.get(res) ?? NO_OPTIONS;
  if (options.gzipLevel === 0 || size < options.gzipMinSize) return null;
  const req = res.req as Request | undefined;
  return { gzip: req?.acceptsEncodings('gzip', 'identity') === 'gzip', level: options.gzipLevel };
}

/**
 * Rows rendered and serialised per chunk: about 60–80 KB of JSON for offers, leases or nodes.
 * Larger chunks cost more than they save: the text of a chunk lives through young-generation
 * collections while it is built, which then copy and promote it.
 */
const ROWS_PER_CHUNK = 100;

/** Bytes of a compressed list queued for zlib before the writer waits: about four chunks. */
const GZIP_QUEUE = 256 * 1024;

/**
 * Upstream answers `Content-Type: application/json` with no charset parameter; Express's
 * `res.json` would add one. Every JSON reply goes through here, and numbers read from a body or
 * a stored `properties` text are written back as they were (lossless-json.ts).
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('Content-Type', 'application/json');
  if (body instanceof PagedJsonList) {
    streamList(res, body).catch((err: unknown) => abortList(res, err));
    return;
  }
  const text = stringifyJson(body instanceof JsonNull ? null : body);
  const length = Buffer.byteLength(text);
  const compression = compressionFor(res, length);
  if (compression) res.vary('Accept-Encoding');
  if (!compression?.gzip) {
    res.setHeader('Content-Length', length);
    res.end(text);
    return;
  }
  // On the thread pool: a large body (a whole event log) must not hold the event loop.
  gzip(text, { level: compression.level }, (err, compressed) => {
    if (res.destroyed) return;
    if (err) {
      logger.warn(`gzip failed, sending the reply uncompressed: ${String(err)}`);
      res.setHeader('Content-Length', length);
      res.end(text);
      return;
    }
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', compressed.length);
    res.end(compressed);
  });
}

const COMMA = 0x2c;
const LIST_END = Buffer.from(']}');
const EMPTY_LIST_END = Buffer.from('[]}');
const LIST_CLOSE = Buffer.from('],');
const EMPTY_LIST = Buffer.from('[],');

/**
 * Writes a list a chunk of rows at a time (ROWS_PER_CHUNK unless the list says otherwise),
 * waiting for the socket to drain between chunks, so that only a chunk of rendered rows and one
 * page of entities are alive per response. A list that fits in one chunk is sent whole with its
 * Content-Length; a longer one goes out chunked. A client that goes away stops the iteration
 * (and the reading of further pages).
 *
 * Each chunk is one `stringifyJson` of the batch (faster than one per row), encoded once into
 * a Buffer whose brackets become the separators: cutting and joining strings instead made
 * string slices and concatenations that the socket then had to flatten, a copy of the whole
 * body on the JS heap (docs/performance.md).
 */
async function streamList(res: Response, list: PagedJsonList): Promise<void> {
  const out = new ListOutput(res);
  const { head, trailer: trailerOf, rowsPerChunk = ROWS_PER_CHUNK } = list.options;
  const before = head && Object.keys(head).length > 0 ? `${stringifyJson(head).slice(1, -1)},` : '';
  let pending: Buffer[] = [Buffer.from(`{${before}${JSON.stringify(list.key)}:`)];
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
  for await (const page of list.pages) {
    for (const row of page) {
      batch.push(row);
      if (batch.length < rowsPerChunk) continue;
      pending.push(serialise());
      const chunk = joined(pending);
      pending = [];
      if (res.destroyed) return;
      await out.write(chunk);
    }
    if (res.destroyed) return;
  }
  if (res.destroyed) return;
  if (batch.length > 0) pending.push(serialise());
  const trailer = trailerOf?.(res.req as Request, optionsOf.get(res)?.publicEndpoint) ?? {};
  if (Object.keys(trailer).length === 0) {
    pending.push(first ? EMPTY_LIST_END : LIST_END);
  } else {
    pending.push(first ? EMPTY_LIST : LIST_CLOSE, Buffer.from(`${stringifyJson(trailer).slice(1, -1)}}`));
  }
  out.end(joined(pending));
}

/**
 * Where a list's bytes go: straight to the socket, as always, unless compression is on. Then
 * the first bytes are held until there are `[api] response_gzip_min_size` of them, so that a
 * short list is still sent whole and as it always was; past that, the list is compressed for
 * a client that accepts gzip, and either way marked `Vary: Accept-Encoding`.
 */
class ListOutput {
  private held: Buffer[] = [];
  private heldSize = 0;
  private opened = false;
  private gzip: ReturnType<typeof createGzip> | undefined;

  constructor(private readonly res: Response) {
    this.opened = compressionFor(res, Number.POSITIVE_INFINITY) === null;
  }

  async write(chunk: Buffer): Promise<void> {
    if (!this.opened) {
      this.held.push(chunk);
      this.heldSize += chunk.length;
      if (this.heldSize < (optionsOf.get(this.res)?.gzipMinSize ?? 0)) return;
      this.open(this.heldSize);
      chunk = this.takeHeld();
    }
    if (!this.gzip) {
      if (!this.res.write(chunk)) await drained(this.res);
      return;
    }
    // A few chunks may wait in zlib's queue: the next chunk is rendered while zlib, on the
    // thread pool, compresses the previous ones, instead of each waiting for the other.
    if (!this.gzip.write(chunk) && this.gzip.writableLength >= GZIP_QUEUE) await drained(this.gzip);
  }

  end(last: Buffer): void {
    const res = this.res;
    if (!this.opened) {
      const size = this.heldSize + last.length;
      this.held.push(last);
      last = this.takeHeld();
      if (compressionFor(res, size) === null) this.opened = true;
      else this.open(size);
    }
    if (this.gzip) {
      this.gzip.end(last);
      return;
    }
    if (!res.headersSent) res.setHeader('Content-Length', last.length);
    res.end(last);
  }

  private open(size: number): void {
    const res = this.res;
    this.opened = true;
    const compression = compressionFor(res, size);
    res.vary('Accept-Encoding');
    if (!compression?.gzip) return;
    res.setHeader('Content-Encoding', 'gzip');
    // Headers out now: a list failing from here on can only be cut (abortList), not answered
    // with a fault body behind a gzip header.
    res.flushHeaders();
    const gzip = createGzip({ level: compression.level, chunkSize: 64 * 1024 });
    gzip.pipe(res);
    // A client gone, or a list aborted midway (abortList destroys the response): drop the rest.
    res.once('close', () => gzip.destroy());
    this.gzip = gzip;
  }

  private takeHeld(): Buffer {
    const all = joined(this.held.length === 0 ? [Buffer.alloc(0)] : this.held);
    this.held = [];
    return all;
  }
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

function drained(res: NodeJS.WritableStream & { destroyed: boolean; writableNeedDrain: boolean }): Promise<void> {
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

/** Makes `res.json` write through sendJson, with `options` for every reply of the app. */
export function jsonResponses(options: JsonResponseOptions): (req: Request, res: Response, next: NextFunction) => void {
  return (_req, res, next) => {
    optionsOf.set(res, options);
    res.json = function json(this: Response, body: unknown) {
      sendJson(this, this.statusCode, body);
      return this;
    };
    next();
  };
}

/** Replies as they always were: no compression, `next` URLs on the request's own host. */
export const jsonResponseMiddleware = jsonResponses(NO_OPTIONS);

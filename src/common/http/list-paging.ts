/**
 * OpenStack-style paging of the list endpoints (ours, additive): `limit` asks for at most that
 * many rows, `marker` names the last row of the previous page, and a limited answer that has
 * more rows after it gets a `next` key, after the list, holding the URL of the next page: the
 * same request with `marker` set to its last row. Without `limit` and `marker` a list is what
 * it always was. Each list says where a marker starts it (a keyset after the marker's id, a
 * position in an ordered inventory); the cutting, the look-ahead and the `next` key are here.
 */
import { Request } from 'express';
import { ClientError, MarkerNotFound } from '../errors/esi-leap.exceptions';
import { PagedJsonList } from './json-response';

/** The query parameters every paged list adds to its own (an empty value counts as absent). */
export const PAGING_PARAMS = { limit: 'int', marker: 'string' } as const;

export interface PagingQuery {
  limit?: number;
  marker?: string;
}

/** What a list was asked for: none when neither parameter was given. */
export interface PageRequest {
  /** At most this many rows; undefined with a `marker` alone: every row after it. */
  readonly limit: number | undefined;
  readonly marker: string | undefined;
}

/**
 * Reads `limit` and `marker`. A `limit` below 1 is a 400, as Ironic answers it; one above
 * `[api] max_limit` is lowered to it, as Nova and Ironic do, so no request makes one answer
 * larger than the operator allows per page (a `max_limit` below 1, which upstream's option
 * accepts, caps nothing).
 */
export function pageRequest(query: PagingQuery, maxLimit: number): PageRequest | undefined {
  const { limit, marker } = query;
  if (limit === undefined && marker === undefined) return undefined;
  if (limit !== undefined && limit < 1) {
    throw new ClientError(`Invalid input for field/attribute limit. Value: '${limit}'. Limit must be positive`);
  }
  if (marker === '')
    throw new ClientError("Invalid input for field/attribute marker. Value: ''. Marker may not be empty");
  return { limit: limit === undefined || maxLimit < 1 ? limit : Math.min(limit, maxLimit), marker };
}

/**
 * Where a keyset list starts: after the id of the marker's row (0 without a marker), the row
 * found by `find` among all rows, so a row that left the list between two pages still marks
 * its place. A marker naming no row is a 400.
 */
export async function markerRowId(
  page: PageRequest | undefined,
  find: (uuid: string) => Promise<{ readonly id: number } | null>,
): Promise<number> {
  if (page?.marker === undefined) return 0;
  const row = await find(page.marker);
  if (!row) throw new MarkerNotFound({ marker: page.marker });
  return row.id;
}

/**
 * How many rows a list should read per statement to answer `page`: one more than the limit
 * (the look-ahead that tells whether a `next` is due) when that is less than its usual page.
 */
export function readSize(page: PageRequest | undefined, usual: number): number {
  return page?.limit === undefined ? usual : Math.min(usual, page.limit + 1);
}

/**
 * The list body for `page`: all the rows without a limit; with one, at most `limit` rows and,
 * when at least one more row follows, a `next` key with the URL of the page after the last
 * row shown (`markerOf` names it). Looking for that one more row may read one more statement's
 * page; the rows beyond it are never read.
 */
export function pagedList<V>(
  key: string,
  pages: AsyncIterable<Iterable<V>> | Iterable<Iterable<V>>,
  page: PageRequest | undefined,
  markerOf: (row: V) => string,
): PagedJsonList {
  const limit = page?.limit;
  if (limit === undefined) return new PagedJsonList(key, pages);
  let last: V | undefined;
  let more = false;
  async function* limited(): AsyncIterable<Iterable<V>> {
    let taken = 0;
    for await (const rows of pages) {
      const kept: V[] = [];
      for (const row of rows) {
        if (taken === limit) {
          more = true;
          break;
        }
        kept.push(row);
        taken++;
        last = row;
      }
      if (kept.length > 0) yield kept;
      // Leaving the loop closes the source: no further page is read.
      if (more) return;
    }
  }
  return new PagedJsonList(key, limited(), {
    trailer: (req, publicEndpoint) =>
      more && last !== undefined ? { next: nextPageUrl(req, publicEndpoint, markerOf(last)) } : {},
  });
}

/**
 * The request's own URL with `marker` set: every other parameter kept, repeated ones too. On
 * `[api] public_endpoint` when set (a proxy that rewrites the host), else on the scheme and
 * Host the request came with.
 */
export function nextPageUrl(req: Request, publicEndpoint: string | undefined, marker: string): string {
  const url = req.originalUrl;
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  query.set('marker', marker);
  const base = publicEndpoint?.trim()
    ? publicEndpoint.trim().replace(/\/+$/, '')
    : `${req.protocol}://${req.headers.host ?? 'localhost'}`;
  return `${base}${path}?${query.toString()}`;
}

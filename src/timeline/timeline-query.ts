import { ClientError, InvalidTimeAPICommand } from '../common/errors/esi-leap.exceptions';
import { bothOrNeither } from '../common/http/list-filters';
import { parseQuery } from '../common/http/query-params';
import { addDays, longerThanDays, UtcTime } from '../common/time';
import { Constraint, parseConstraints } from '../constraints/constraint-parser';

/** The query parameters besides `constraint`, which may be repeated (and is read separately). */
export const TIMELINE_PARAMS = { start_time: 'datetime', end_time: 'datetime', resource_class: 'string' } as const;

/** Without a window: from a day ago to six days ahead, a week with the current time near its start. */
export const DEFAULT_DAYS_BEFORE = 1;
export const DEFAULT_DAYS_AFTER = 6;
/** The longest window one request may ask for: a year of a large fleet is already tens of megabytes. */
export const MAX_WINDOW_DAYS = 366;

export interface TimelineQuery {
  /** Absent: the default window around the current time (`defaultWindow`). */
  readonly window?: { readonly start: UtcTime; readonly end: UtcTime };
  readonly resourceClass?: string;
  /** ANDed, matched against each node's properties. */
  readonly constraints: readonly Constraint[];
}

/**
 * `GET /v1/timeline`'s query: a window given whole (both times, start before end) or not at all,
 * at most MAX_WINDOW_DAYS long; a resource class; `constraint=` as often as needed.
 */
export function parseTimelineQuery(raw: Record<string, unknown>): TimelineQuery {
  const { constraint, ...rest } = raw;
  const query = parseQuery(rest, TIMELINE_PARAMS);
  const constraints = parseConstraints(asList(constraint));
  const window = bothOrNeither(query.start_time, query.end_time, (start, end) => {
    throw new InvalidTimeAPICommand({ resource: 'a timeline', start_time: start, end_time: end });
  });
  if (window && longerThanDays(window.start, window.end, MAX_WINDOW_DAYS)) {
    throw new ClientError(`A timeline window is at most ${MAX_WINDOW_DAYS} days long.`);
  }
  return { window, resourceClass: query.resource_class, constraints };
}

export function defaultWindow(now: UtcTime): { start: UtcTime; end: UtcTime } {
  return { start: addDays(now, -DEFAULT_DAYS_BEFORE), end: addDays(now, DEFAULT_DAYS_AFTER) };
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

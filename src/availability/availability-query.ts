import { ClientError } from '../common/errors/esi-leap.exceptions';
import { parseQuery } from '../common/http/query-params';
import { UtcTime } from '../common/time';
import { Constraint, parseConstraints } from '../constraints/constraint-parser';
import { BookingSource } from '../leasing/selection/bookable-fleet';

/** The query parameters besides `constraint`, which may be repeated (and is read separately). */
export const AVAILABILITY_PARAMS = {
  count: 'int',
  duration: 'string',
  resource_class: 'string',
  not_before: 'datetime',
  not_after: 'datetime',
  limit: 'int',
  source: 'string',
} as const;

export const DEFAULT_LIMIT = 5;
export const MAX_LIMIT = 50;
/** More than any one request books; bounds what a single answer lists. */
export const MAX_COUNT = 1000;
/** Without `not_after`: this far after `not_before`. */
export const DEFAULT_HORIZON_DAYS = 30;
/** The longest range one search may cover: it reads every booking of the range. */
export const MAX_HORIZON_DAYS = 366;

export interface AvailabilityQuery {
  readonly count: number;
  readonly durationSeconds: number;
  readonly resourceClass?: string;
  readonly constraints: readonly Constraint[];
  /** Absent: now. */
  readonly notBefore?: UtcTime;
  /** Absent: DEFAULT_HORIZON_DAYS after the start of the search. */
  readonly notAfter?: UtcTime;
  readonly limit: number;
  readonly source: BookingSource;
}

/**
 * `GET /v1/availability`'s query. `duration` is required; every bad value is a 400 naming its
 * parameter.
 */
export function parseAvailabilityQuery(raw: Record<string, unknown>): AvailabilityQuery {
  const { constraint, ...rest } = raw;
  const query = parseQuery(rest, AVAILABILITY_PARAMS);
  const count = query.count ?? 1;
  if (count < 1 || count > MAX_COUNT) throw new ClientError(`count must be between 1 and ${MAX_COUNT}; got ${count}.`);
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) throw new ClientError(`limit must be between 1 and ${MAX_LIMIT}; got ${limit}.`);
  if (query.duration === undefined)
    throw new ClientError('duration is required: seconds, or ISO 8601 such as PT4H or P3D.');
  const durationSeconds = parseDuration(query.duration);
  const source = query.source ?? 'offers';
  if (source !== 'offers' && source !== 'owned') {
    throw new ClientError(`source must be 'offers' or 'owned'; got '${source}'.`);
  }
  if (query.not_before !== undefined && query.not_after !== undefined && query.not_after <= query.not_before) {
    throw new ClientError('not_after must be later than not_before.');
  }
  return {
    count,
    durationSeconds,
    resourceClass: query.resource_class,
    constraints: parseConstraints(asList(constraint)),
    notBefore: query.not_before,
    notAfter: query.not_after,
    limit,
    source,
  };
}

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * Whole seconds (`3600`), or an ISO 8601 duration of weeks, days, hours, minutes and seconds
 * (`P3D`, `PT4H`, `P1DT12H`). Years and months are refused: their length depends on the date.
 */
export function parseDuration(raw: string): number {
  const text = raw.trim();
  const fail = (): never => {
    throw new ClientError(
      `Invalid duration '${raw}': give whole seconds, or ISO 8601 weeks, days, hours, minutes and seconds such as PT4H or P3D.`,
    );
  };
  let seconds: number;
  if (/^\d+$/.test(text)) {
    seconds = Number(text);
  } else {
    const match = ISO_DURATION.exec(text.toUpperCase());
    if (!match || text.toUpperCase() === 'P' || text.toUpperCase().endsWith('T')) fail();
    const [w, d, h, m, s] = match!.slice(1).map((part) => Number(part ?? 0));
    seconds = (((w * 7 + d) * 24 + h) * 60 + m) * 60 + s;
  }
  if (!Number.isSafeInteger(seconds) || seconds <= 0) fail();
  if (seconds > MAX_HORIZON_DAYS * 86_400) {
    throw new ClientError(`duration is at most ${MAX_HORIZON_DAYS} days; got '${raw}'.`);
  }
  return seconds;
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

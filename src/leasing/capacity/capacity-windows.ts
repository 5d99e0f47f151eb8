/**
 * The capacity sweep in the project's time type: callers hold `UtcTime` strings (from rows and
 * query parameters); the sweep needs arithmetic, so times become microseconds here and back.
 */
import { fromEpochMicros, UtcTime } from '../../common/time';
import { sweepCapacity } from './capacity-sweep';
import { spanFromUtc, spanToUtc } from './spans';

export interface FreeWindow<S> {
  readonly start: UtcTime;
  readonly end: UtcTime;
  /** What makes the window bookable (an offer for a lessee), returned with the resource. */
  readonly source: S;
}

export interface ResourceFreeWindows<S> {
  readonly resource: string;
  /** Each window is bookable as one piece (see `ResourceFreeSpans`). */
  readonly free: readonly FreeWindow<S>[];
}

export interface CapacityQuery {
  readonly count: number;
  readonly durationSeconds: number;
  readonly notBefore: UtcTime;
  readonly notAfter: UtcTime;
  readonly limit: number;
}

export interface AvailableResource<S> {
  readonly resource: string;
  readonly free: FreeWindow<S>;
}

export interface AvailableWindow<S> {
  readonly start: UtcTime;
  readonly end: UtcTime;
  /** The same count is free for any start up to this one. */
  readonly latestStart: UtcTime;
  readonly resources: readonly AvailableResource<S>[];
}

/**
 * The earliest windows (up to `limit`) in which `count` of the resources are free at once for
 * `durationSeconds`, inside [notBefore, notAfter]. Each window carries the resources free for
 * it and the free window (and its source) that would hold the booking.
 */
export function findCapacityWindows<S>(
  resources: readonly ResourceFreeWindows<S>[],
  query: CapacityQuery,
): AvailableWindow<S>[] {
  const { start: notBefore, end: notAfter } = spanFromUtc(query.notBefore, query.notAfter);
  const windows = sweepCapacity(
    resources.map((r) => ({
      resource: r.resource,
      free: r.free.map((w) => ({ ...spanFromUtc(w.start, w.end), source: w })),
    })),
    {
      count: query.count,
      duration: BigInt(Math.round(query.durationSeconds * 1e6)),
      notBefore,
      notAfter,
      limit: query.limit,
    },
  );
  return windows.map((w) => {
    const [start, end] = spanToUtc(w);
    return {
      start,
      end,
      latestStart: fromEpochMicros(w.latestStart),
      resources: w.resources.map((c) => ({ resource: c.resource, free: c.free.source })),
    };
  });
}

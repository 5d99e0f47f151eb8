/**
 * "When can I get N of these for D?": the earliest windows in which `count` resources are free
 * at once for a whole duration, found by one sweep over interval endpoints.
 *
 * A resource is free for [t, t + D) when one of its free spans [s, e) holds it, that is when
 * s <= t <= e - D. So each free span becomes a closed range of feasible *start times*, and the
 * question becomes "where do at least `count` resources' start ranges overlap", which one pass
 * over their sorted endpoints answers exactly, without probing time slots.
 */
import { Span } from './spans';

/** A span a resource is free in, with what makes it bookable (an offer, say), passed through. */
export interface FreeSpan<S> extends Span {
  readonly source: S;
}

export interface ResourceFreeSpans<S> {
  readonly resource: string;
  /**
   * Each span is bookable as one piece; a window never straddles two of them. Merge touching
   * spans beforehand where the union is bookable (an owner's own node), not where each span is
   * a separate offer (a lessee claims one offer per lease).
   */
  readonly free: readonly FreeSpan<S>[];
}

export interface CapacityRequest {
  /** How many resources must be free at once (>= 1). */
  readonly count: number;
  /** Microseconds (> 0). */
  readonly duration: bigint;
  /** The whole window lies in [notBefore, notAfter]. */
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  /** At most this many windows (>= 1). */
  readonly limit: number;
}

export interface CandidateResource<S> {
  readonly resource: string;
  /** The free span that holds the window; the tightest one when several do. */
  readonly free: FreeSpan<S>;
}

export interface CapacityWindow<S> {
  /** The earliest start of this period of availability, and its end (`start + duration`). */
  readonly start: bigint;
  readonly end: bigint;
  /** The last start time of the period: the count stays free for every start in [start, latestStart]. */
  readonly latestStart: bigint;
  /** Every resource free for [start, end), sorted by resource; at least `count` of them. */
  readonly resources: readonly CandidateResource<S>[];
}

interface StartRange<S> {
  readonly resource: string;
  readonly first: bigint;
  readonly last: bigint;
  readonly span: FreeSpan<S>;
}

/**
 * The earliest disjoint periods (up to `limit`) in which at least `count` resources are free
 * for `duration`, each reported at its earliest start with the resources free then. Periods
 * are maximal: a new one starts only after the count has dropped below `count`.
 */
export function sweepCapacity<S>(
  resources: readonly ResourceFreeSpans<S>[],
  request: CapacityRequest,
): CapacityWindow<S>[] {
  checkRequest(request);
  const ranges = startRanges(resources, request);
  // Starts before ends at the same instant: the ranges are closed, so a range ending at t and
  // one starting at t are both free for a window starting at t.
  const events = ranges.flatMap((range) => [
    { at: range.first, opens: true, range },
    { at: range.last, opens: false, range },
  ]);
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : Number(b.opens) - Number(a.opens)));

  // Per resource, the start ranges holding the current instant (usually one; several only
  // where the caller passed overlapping spans or one resource twice, which must still count once).
  const active = new Map<string, StartRange<S>[]>();
  const windows: CapacityWindow<S>[] = [];
  let open: { start: bigint; resources: CandidateResource<S>[] } | null = null;
  let i = 0;
  while (i < events.length) {
    const at = events[i].at;
    for (; i < events.length && events[i].at === at && events[i].opens; i++) {
      const { range } = events[i];
      const list = active.get(range.resource);
      if (list) list.push(range);
      else active.set(range.resource, [range]);
    }
    if (!open && active.size >= request.count) open = { start: at, resources: snapshot(active) };
    for (; i < events.length && events[i].at === at; i++) {
      const { range } = events[i];
      const list = active.get(range.resource)!;
      list.splice(list.indexOf(range), 1);
      if (list.length === 0) active.delete(range.resource);
    }
    if (open && active.size < request.count) {
      windows.push({
        start: open.start,
        end: open.start + request.duration,
        latestStart: at,
        resources: open.resources,
      });
      open = null;
      if (windows.length === request.limit) break;
    }
  }
  return windows;
}

function checkRequest(request: CapacityRequest): void {
  // The API validates its parameters; these guard the function's own contract.
  if (!Number.isInteger(request.count) || request.count < 1) throw new RangeError(`count must be >= 1`);
  if (!Number.isInteger(request.limit) || request.limit < 1) throw new RangeError(`limit must be >= 1`);
  if (request.duration <= 0n) throw new RangeError(`duration must be positive`);
}

/** Each free span, clipped to [notBefore, notAfter], as the closed range of starts it allows. */
function startRanges<S>(resources: readonly ResourceFreeSpans<S>[], request: CapacityRequest): StartRange<S>[] {
  const ranges: StartRange<S>[] = [];
  for (const { resource, free } of resources) {
    for (const span of free) {
      const first = span.start > request.notBefore ? span.start : request.notBefore;
      const end = span.end < request.notAfter ? span.end : request.notAfter;
      const last = end - request.duration;
      if (first <= last) ranges.push({ resource, first, last, span });
    }
  }
  return ranges;
}

function snapshot<S>(active: ReadonlyMap<string, readonly StartRange<S>[]>): CandidateResource<S>[] {
  const candidates: CandidateResource<S>[] = [];
  for (const [resource, ranges] of active) {
    let tightest = ranges[0].span;
    for (const { span } of ranges) if (span.end - span.start < tightest.end - tightest.start) tightest = span;
    candidates.push({ resource, free: tightest });
  }
  return candidates.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

/**
 * Half-open time spans in epoch microseconds, the arithmetic form of `UtcTime` for capacity
 * searches: sweeping needs `start + duration`, and microseconds up to year 9999 overflow a
 * double's exact integers, hence bigint.
 */
import { fromEpochMicros, toEpochMicros, UtcTime } from '../../common/time';

/** The span [start, end): `end` itself is free for the next booking, as for leases. */
export interface Span {
  readonly start: bigint;
  readonly end: bigint;
}

export function spanFromUtc(start: UtcTime, end: UtcTime): Span {
  return { start: toEpochMicros(start), end: toEpochMicros(end) };
}

export function spanToUtc(span: Span): readonly [UtcTime, UtcTime] {
  return [fromEpochMicros(span.start), fromEpochMicros(span.end)];
}

export function byStart(a: Span, b: Span): number {
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

/**
 * The union of spans as disjoint, sorted spans. Touching spans are joined ([1,3) and [3,5)
 * give [1,5)): a lease may run across the boundary when nothing separates the two. Empty or
 * inverted spans contribute nothing.
 */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.start < s.end).sort(byStart);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) {
      if (span.end > last.end) merged[merged.length - 1] = { start: last.start, end: span.end };
    } else {
      merged.push(span);
    }
  }
  return merged;
}

/**
 * The parts of `within` that no busy span covers, in order: the free time of a resource an
 * owner books directly, where no offer bounds it.
 */
export function subtractSpans(within: Span, busy: readonly Span[]): Span[] {
  const free: Span[] = [];
  let cursor = within.start;
  for (const span of mergeSpans(busy)) {
    if (span.end <= cursor) continue;
    if (span.start >= within.end) break;
    if (span.start > cursor) free.push({ start: cursor, end: span.start });
    cursor = span.end;
    if (cursor >= within.end) return free;
  }
  if (cursor < within.end) free.push({ start: cursor, end: within.end });
  return free;
}

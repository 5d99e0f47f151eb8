/**
 * Quota arithmetic over leases as spans of time on resources, in epoch microseconds, half-open
 * `[start, end)` like every lease window. Pure, so the booking guard and the usage report
 * compute exactly the same numbers.
 */

export interface Span {
  /** `resource_type/resource_uuid`: nodes are counted once however many leases hold them at one instant. */
  readonly resource: string;
  readonly start: bigint;
  readonly end: bigint;
}

export type Window = readonly [bigint, bigint];

export const MICROS_PER_HOUR = 3_600_000_000n;
/** The rolling window of the node-hours quota. */
export const NODE_HOURS_WINDOW = 30n * 24n * MICROS_PER_HOUR;

/** Where adding `added` to `existing` is worst, and how the total splits between the two. */
export interface Peak {
  readonly total: number;
  readonly existing: number;
  readonly added: number;
  /** The instant (nodes) or the start of the 30-day window (node-hours). */
  readonly at: bigint;
}

/** Distinct resources held at instant `t`. */
function heldAt(spans: readonly Span[], t: bigint): Set<string> {
  const held = new Set<string>();
  for (const span of spans) if (span.start <= t && t < span.end) held.add(span.resource);
  return held;
}

/**
 * The instant within `windows` where the most nodes are held by `existing` and `added`
 * together (the first such instant), or null when the windows are empty. The count only
 * changes where a span starts or ends, so those instants (and the windows' starts) are all
 * that need looking at.
 */
export function peakNodes(existing: readonly Span[], added: readonly Span[], windows: readonly Window[]): Peak | null {
  const all = [...existing, ...added];
  const instants = new Set<bigint>();
  for (const span of all) instants.add(span.start).add(span.end);
  for (const [start] of windows) instants.add(start);
  let best: Peak | null = null;
  for (const t of [...instants].sort(compare)) {
    if (!windows.some(([start, end]) => start <= t && t < end)) continue;
    const before = heldAt(existing, t);
    const total = heldAt(all, t).size;
    if (best === null || total > best.total) best = { total, existing: before.size, added: total - before.size, at: t };
  }
  return best;
}

/** Microseconds of the spans inside the 30 days from `from` (node-microseconds). */
export function bookedFrom(spans: readonly Span[], from: bigint): bigint {
  const to = from + NODE_HOURS_WINDOW;
  let total = 0n;
  for (const span of spans) {
    const start = span.start > from ? span.start : from;
    const end = span.end < to ? span.end : to;
    if (end > start) total += end - start;
  }
  return total;
}

/**
 * The 30-day window overlapping one of `windows` in which `existing` and `added` together
 * book the most node-hours. The booked amount, as a function of the window's start, changes
 * slope only where a span's start or end enters or leaves the window, so its maximum is at a
 * window starting or ending at such an instant.
 */
export function peakNodeHours(
  existing: readonly Span[],
  added: readonly Span[],
  windows: readonly Window[],
): Peak | null {
  const all = [...existing, ...added];
  const starts = new Set<bigint>();
  for (const span of all) {
    for (const t of [span.start, span.end]) starts.add(t).add(t - NODE_HOURS_WINDOW);
  }
  for (const [start, end] of windows) starts.add(start).add(end - NODE_HOURS_WINDOW);
  let best: { total: bigint; before: bigint; from: bigint } | null = null;
  for (const from of [...starts].sort(compare)) {
    const to = from + NODE_HOURS_WINDOW;
    if (!windows.some(([start, end]) => start < to && from < end)) continue;
    const total = bookedFrom(all, from);
    if (best === null || total > best.total) best = { total, before: bookedFrom(existing, from), from };
  }
  if (best === null) return null;
  return {
    total: hours(best.total),
    existing: hours(best.before),
    added: hours(best.total - best.before),
    at: best.from,
  };
}

export function hours(micros: bigint): number {
  return Number(micros) / Number(MICROS_PER_HOUR);
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

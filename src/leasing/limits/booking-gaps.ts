import { fromEpochMicros, toEpochMicros } from '../../common/time';
import { Interval } from '../data/busy-intervals.repository';

/**
 * The cleaning time that must separate two consecutive leases on a node, by the node's
 * resource class. The lease limits (LeaseLimits) provide it; without a limits file it is
 * zero, and windows touch as upstream allows. Booking checks it (a booking guard); every
 * computation of free windows (offer availabilities, capacity searches) pads the busy
 * intervals with it, so what is shown free can be booked.
 */
export abstract class BookingGaps {
  /** Microseconds kept free after one lease on a node of this class before the next may start. */
  abstract gapMicros(resourceClass: string | null): bigint;
}

/** The interval widened by `gapMicros` on both sides (saturating at the representable range). */
export function padInterval([start, end]: Interval, gapMicros: bigint): Interval {
  if (gapMicros <= 0n) return [start, end];
  return [fromEpochMicros(toEpochMicros(start) - gapMicros), fromEpochMicros(toEpochMicros(end) + gapMicros)];
}

/**
 * Busy intervals widened by the gap: the free windows between them then leave the cleaning
 * time on both sides of every lease. Order is kept; overlaps it creates are for the caller's
 * merge (as offerAvailabilities and the capacity sweep already merge).
 */
export function padIntervals(intervals: readonly Interval[], gapMicros: bigint): readonly Interval[] {
  if (gapMicros <= 0n) return intervals;
  return intervals.map((interval) => padInterval(interval, gapMicros));
}

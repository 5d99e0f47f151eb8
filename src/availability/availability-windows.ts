import { fromEpochMicros, toEpochMicros, toIso, UtcTime } from '../common/time';
import { sweepCapacity } from '../leasing/capacity/capacity-sweep';
import { BookableNode } from '../leasing/selection/bookable-fleet';

export interface WindowSearch {
  readonly count: number;
  readonly durationSeconds: number;
  readonly notBefore: UtcTime;
  readonly notAfter: UtcTime;
  readonly limit: number;
}

/**
 * The earliest windows in which `count` of the matching, healthy nodes are free at once, as
 * the API renders them: each at its earliest start, with the latest start the same count
 * holds for, and the nodes free then (with the offer that would be claimed).
 */
export function availabilityWindows(fleet: readonly BookableNode[], search: WindowSearch): Record<string, unknown>[] {
  const usable = fleet.filter((node) => node.matches && node.healthy);
  const names = new Map(usable.map((node) => [node.uuid, node.name]));
  // The sweep behind findCapacityWindows, on the microsecond spans the fleet is read in: no
  // conversion of every free window to text and back.
  const windows = sweepCapacity(
    usable.map((node) => ({ resource: node.uuid, free: node.free })),
    {
      count: search.count,
      duration: BigInt(search.durationSeconds) * 1_000_000n,
      notBefore: toEpochMicros(search.notBefore),
      notAfter: toEpochMicros(search.notAfter),
      limit: search.limit,
    },
  );
  const time = (micros: bigint) => toIso(fromEpochMicros(micros));
  return windows.map((w) => ({
    start_time: time(w.start),
    end_time: time(w.end),
    latest_start: time(w.latestStart),
    count: w.resources.length,
    resources: w.resources.map((r) => ({
      resource_uuid: r.resource,
      resource: names.get(r.resource) ?? null,
      offer_uuid: r.free.source.offerUuid,
    })),
  }));
}

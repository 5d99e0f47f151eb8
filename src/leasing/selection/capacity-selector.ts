import { Injectable } from '@nestjs/common';
import { PolicyCredentials } from '../../auth/request-context';
import { Clock } from '../../common/clock';
import { CapacityReport, InsufficientCapacity, InvalidTimeRange } from '../../common/errors/esi-leap.exceptions';
import { addDays, fromEpochMicros, maxTime, toEpochMicros, toIso, UtcTime } from '../../common/time';
import { explainExclusions } from '../../constraints/constraint-evaluator';
import { Constraint, parseConstraints } from '../../constraints/constraint-parser';
import { sweepCapacity } from '../capacity/capacity-sweep';
import { spanFromUtc } from '../capacity/spans';
import { orderByTightestFit } from '../capacity/tightest-fit';
import { BookableFleet, BookableNode } from './bookable-fleet';

/**
 * How far ahead the earliest window of an unmet request is looked for: far enough for a
 * maintenance or a long lease to end, near enough to read one range of bookings.
 */
export const EARLIEST_WINDOW_HORIZON_DAYS = 90;

export interface CapacityAsk {
  readonly creds: PolicyCredentials;
  /** The caller's project. */
  readonly projectId: string;
  /**
   * 'offers': from available offers the caller may claim (as POST /v1/offers/{id}/claim would
   * allow); 'owned': directly on resources the caller's project owns (as POST /v1/leases would
   * allow; an admin: any).
   */
  readonly source: 'offers' | 'owned';
  /** Exact filter. */
  readonly resourceClass?: string;
  /** Raw; parsed here (a malformed one: InvalidConstraint, 400). */
  readonly constraints: readonly string[];
  readonly start: UtcTime;
  readonly end: UtcTime;
  /** How many are needed at least. */
  readonly count: number;
}

export interface SelectedResource {
  readonly resourceType: string;
  readonly resourceUuid: string;
  readonly resourceName: string | null;
  /** The lease's owner_id (the offer's project, or the resource owner). */
  readonly ownerId: string;
  /** The offer a claim takes ('offers' source). */
  readonly offerUuid: string | null;
  /** The lease that offer was made inside (a sub-offer): the claim is booked inside it too. */
  readonly parentLeaseUuid: string | null;
}

/**
 * Picks the resources for a booking of several at once (a lease group): every matching node
 * free for the window, as the booking path would accept it, in the order to book them.
 */
@Injectable()
export class CapacitySelector {
  constructor(
    private readonly clock: Clock,
    private readonly fleet: BookableFleet,
  ) {}

  /**
   * Every matching resource free for [start, end), in booking preference order (tightest fit,
   * shuffled among equals; one entry per resource). Throws InsufficientCapacity when fewer than
   * `count`. `excluding` (resource uuids) drops resources lost to a race, for a re-selection.
   */
  async select(ask: CapacityAsk, excluding: ReadonlySet<string> = new Set()): Promise<SelectedResource[]> {
    const constraints = parseConstraints(ask.constraints);
    if (ask.start >= ask.end) {
      throw new InvalidTimeRange({ resource: 'lease', start_time: ask.start, end_time: ask.end });
    }
    const searchFrom = maxTime(ask.start, this.clock.now());
    const horizonEnd = maxTime(addDays(searchFrom, EARLIEST_WINDOW_HORIZON_DAYS), ask.end);
    const fleet = await this.fleet.load({
      creds: ask.creds,
      projectId: ask.projectId,
      source: ask.source,
      resourceClass: ask.resourceClass,
      constraints,
      from: ask.start,
      to: horizonEnd,
    });
    const usable = fleet.filter((node) => node.matches && node.healthy && !excluding.has(node.uuid));
    const window = spanFromUtc(ask.start, ask.end);
    // Every (node, free window) pair holding the window, best fit first; a node's first pair is its tightest.
    const fits = orderByTightestFit(
      usable.flatMap((node) => node.free.map((free) => ({ node, free }))),
      window,
      (fit) => fit.free,
    );
    const selected: SelectedResource[] = [];
    const taken = new Set<string>();
    for (const { node, free } of fits) {
      if (taken.has(node.uuid)) continue;
      taken.add(node.uuid);
      selected.push({
        resourceType: node.resourceType,
        resourceUuid: node.uuid,
        resourceName: node.name,
        ownerId: free.source.ownerId,
        offerUuid: free.source.offerUuid,
        parentLeaseUuid: free.source.parentLeaseUuid,
      });
    }
    if (selected.length >= ask.count) return selected;

    const report = capacityReport(ask, fleet, usable, selected.length, searchFrom, horizonEnd, constraints);
    throw new InsufficientCapacity(
      report,
      { start_time: toIso(ask.start), end_time: toIso(ask.end) },
      EARLIEST_WINDOW_HORIZON_DAYS,
    );
  }
}

function capacityReport(
  ask: CapacityAsk,
  fleet: readonly BookableNode[],
  usable: readonly BookableNode[],
  free: number,
  searchFrom: UtcTime,
  horizonEnd: UtcTime,
  constraints: readonly Constraint[],
): CapacityReport {
  const exclusions = explainExclusions(
    fleet.map((node) => node.properties),
    constraints,
  );
  const window = spanFromUtc(ask.start, ask.end);
  // The sweep behind findCapacityWindows, on the microsecond spans the fleet is read in.
  const [earliest] = sweepCapacity(
    usable.map((node) => ({ resource: node.uuid, free: node.free })),
    {
      count: ask.count,
      duration: window.end - window.start,
      notBefore: toEpochMicros(searchFrom),
      notAfter: toEpochMicros(horizonEnd),
      limit: 1,
    },
  );
  return {
    requested: ask.count,
    candidates: exclusions.candidates,
    matching: exclusions.matching,
    free,
    most_excluding: exclusions.mostExcluding,
    constraints: exclusions.byConstraint.map((c) => ({
      constraint: c.constraint,
      excluded: c.excluded,
      excluded_only_by_this: c.excludedOnlyByThis,
    })),
    earliest_window: earliest
      ? { start_time: toIso(fromEpochMicros(earliest.start)), end_time: toIso(fromEpochMicros(earliest.end)) }
      : null,
  };
}

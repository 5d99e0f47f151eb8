import { Inject, Injectable } from '@nestjs/common';
import { PolicyCredentials } from '../../auth/request-context';
import { fromEpochMicros, toEpochMicros, UtcTime } from '../../common/time';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { Constraint } from '../../constraints/constraint-parser';
import { matchesAllConstraints } from '../../constraints/constraint-evaluator';
import { InventoryNode } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { PolicyService } from '../../policy/policy.service';
import { ProjectDirectory } from '../../projects/project-directory';
import { FreeSpan } from '../capacity/capacity-sweep';
import { Span } from '../capacity/spans';
import { FleetBookingsRepository, FleetLease, FleetOffer } from '../data/fleet-bookings.repository';
import { offerOpenTo } from '../data/offer-lessee';
import { NodeHealth } from '../health/node-health';
import { BookingGaps } from '../limits/booking-gaps';
import { BookedSpan, freeInOffer, freeOnNode } from './free-windows';

/** What a booking in a free window takes: the lease's owner, and the offer it claims ('offers') with its parent lease. */
export interface BookingHolder {
  readonly ownerId: string;
  readonly offerUuid: string | null;
  /** The lease the offer was made inside (a sub-offer), which a claim of it is booked inside too. */
  readonly parentLeaseUuid: string | null;
}

/** Where a caller books from: offers it may claim, or the nodes its project owns. */
export type BookingSource = 'offers' | 'owned';

export interface FleetQuery {
  readonly creds: PolicyCredentials;
  /** The project the leases would be for: whose offers are its own, whose restrictions it meets. */
  readonly projectId: string;
  readonly source: BookingSource;
  readonly resourceClass?: string;
  readonly constraints: readonly Constraint[];
  /** The range free windows are computed in. */
  readonly from: UtcTime;
  readonly to: UtcTime;
}

/** A node the caller could book at all, with what it offers inside the range. */
export interface BookableNode {
  readonly resourceType: string;
  readonly uuid: string;
  readonly name: string | null;
  readonly properties: Record<string, unknown>;
  /** Matches every constraint of the query. */
  readonly matches: boolean;
  /** Not recorded unhealthy or gone: the node-health guard would let a lease on it through. */
  readonly healthy: boolean;
  /**
   * Free windows inside the range (epoch microseconds, as the capacity sweep takes them), each
   * bookable as one piece: one per free piece of an offer for 'offers'. Computed only for a
   * node that matches and is healthy (nothing books the others): empty for the rest.
   */
  readonly free: readonly FreeSpan<BookingHolder>[];
}

/**
 * The nodes of the default resource type a caller could book, with their free windows as the
 * booking path would accept them (conflicts, cleaning time), their health and whether they
 * match the constraints: the one reading behind group selection and the availability search.
 * The driver is called first and nothing here opens a transaction.
 */
@Injectable()
export class BookableFleet {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly drivers: ResourceDriverRegistry,
    private readonly bookings: FleetBookingsRepository,
    private readonly gaps: BookingGaps,
    private readonly health: NodeHealth,
    private readonly policy: PolicyService,
    private readonly projects: ProjectDirectory,
  ) {}

  async load(query: FleetQuery): Promise<BookableNode[]> {
    const driver = this.drivers.get(this.config.api.default_resource_type);
    const admin = this.policy.enforce('esi_leap:offer:offer_admin', query.creds);
    const owner = query.source === 'owned' && !admin ? query.projectId : undefined;
    // The service's own view of the inventory (no user token): what may be booked is decided
    // by offers and ownership below, not by what the caller's token may list. A recent list is
    // enough: the booking path checks every selected node again under its lock.
    const listed = driver.listNodes
      ? await driver.listNodes({ resourceClass: query.resourceClass, owner, recentEnough: true }, null)
      : [];
    if (listed.length === 0) return [];
    const maxGap = [...new Set(listed.map((n) => n.resourceClass))].reduce(
      (max, c) => (this.gaps.gapMicros(c) > max ? this.gaps.gapMicros(c) : max),
      0n,
    );
    const range: Span = { start: toEpochMicros(query.from), end: toEpochMicros(query.to) };
    // Leases just outside the range still push free windows in by the cleaning time.
    const leasesFrom = fromEpochMicros(range.start - maxGap);
    const leasesTo = fromEpochMicros(range.end + maxGap);
    const [offers, leases, ancestry, unhealthy] = await Promise.all([
      this.bookings.offersOverlapping(driver.resourceType, query.from, query.to),
      this.bookings.leasesOverlapping(driver.resourceType, leasesFrom, leasesTo),
      query.source === 'offers' && !admin ? this.projects.ancestry(query.projectId) : Promise.resolve([]),
      this.health.unhealthyOfType(driver.resourceType),
    ]);
    const matching = new Set(
      listed.filter((n) => matchesAllConstraints(n.properties, query.constraints)).map((n) => n.uuid),
    );
    const free = freeWindowsByNode({
      nodes: listed,
      windowsFor: new Set([...matching].filter((uuid) => !unhealthy.has(uuid))),
      offers,
      leases,
      source: query.source,
      projectId: query.projectId,
      mayClaim: (offer) => admin || offerOpenTo(offer, ancestry),
      gapOf: (resourceClass) => this.gaps.gapMicros(resourceClass),
      range,
    });
    const bookable = listed.filter((n) => free.has(n.uuid));
    return bookable.map((node: InventoryNode) => ({
      resourceType: driver.resourceType,
      uuid: node.uuid,
      name: node.name,
      properties: node.properties,
      matches: matching.has(node.uuid),
      healthy: !unhealthy.has(node.uuid),
      free: free.get(node.uuid)!,
    }));
  }
}

/** What `freeWindowsByNode` computes from: the listed nodes and the bookings read for them. */
export interface FleetBookings {
  readonly nodes: readonly Pick<InventoryNode, 'uuid' | 'resourceClass' | 'ownerProjectId'>[];
  /** The nodes whose windows are wanted, the others keyed with none; every node when absent. */
  readonly windowsFor?: ReadonlySet<string>;
  readonly offers: readonly FleetOffer[];
  readonly leases: readonly FleetLease[];
  readonly source: BookingSource;
  readonly projectId: string;
  /** Whether the caller may claim the offer (its lessee restriction), its own offers aside. */
  readonly mayClaim: (offer: FleetOffer) => boolean;
  /** The cleaning time after a lease on a node of the class, in microseconds. */
  readonly gapOf: (resourceClass: string | null) => bigint;
  readonly range: Span;
}

/**
 * The free windows inside the range of each node the caller could book at all (for 'offers':
 * with an offer it may claim, even when that offer is full), keyed by node uuid; none for a
 * node outside `windowsFor`, whose bookings are not converted at all.
 */
export function freeWindowsByNode(input: FleetBookings): Map<string, FreeSpan<BookingHolder>[]> {
  const nodes = new Map(input.nodes.map((n) => [n.uuid, n]));
  const wanted = input.windowsFor ?? new Set(nodes.keys());
  const leasesByNode = groupBy(
    input.leases.filter((l) => wanted.has(l.resourceUuid)),
    (l) => l.resourceUuid,
    bookedSpan,
  );
  const offers = input.offers.filter((o) => nodes.has(o.resourceUuid));
  const free = new Map<string, FreeSpan<BookingHolder>[]>();
  if (input.source === 'offers') {
    for (const offer of offers) {
      if (offer.projectId === input.projectId || !input.mayClaim(offer)) continue;
      const list = free.get(offer.resourceUuid) ?? [];
      free.set(offer.resourceUuid, list);
      if (!wanted.has(offer.resourceUuid)) continue;
      const node = nodes.get(offer.resourceUuid)!;
      const spans = freeInOffer(
        { uuid: offer.uuid, parentLeaseUuid: offer.parentLeaseUuid, ...spanOf(offer) },
        leasesByNode.get(offer.resourceUuid) ?? [],
        input.gapOf(node.resourceClass),
        input.range,
      );
      for (const span of spans)
        list.push(
          window(span, { ownerId: offer.projectId, offerUuid: offer.uuid, parentLeaseUuid: offer.parentLeaseUuid }),
        );
    }
    return free;
  }
  const offersByNode = groupBy(
    offers.filter((o) => wanted.has(o.resourceUuid)),
    (o) => o.resourceUuid,
    spanOf,
  );
  for (const node of input.nodes) {
    if (!wanted.has(node.uuid)) {
      free.set(node.uuid, []);
      continue;
    }
    const spans = freeOnNode(
      leasesByNode.get(node.uuid) ?? [],
      offersByNode.get(node.uuid) ?? [],
      input.gapOf(node.resourceClass),
      input.range,
    );
    // An admin's lease on a node is owned by the node's owner, as POST /v1/leases records it.
    const holder = { ownerId: node.ownerProjectId ?? input.projectId, offerUuid: null, parentLeaseUuid: null };
    free.set(
      node.uuid,
      spans.map((span) => window(span, holder)),
    );
  }
  return free;
}

function spanOf(booking: FleetOffer | FleetLease): Span {
  return { start: toEpochMicros(booking.start), end: toEpochMicros(booking.end) };
}

function bookedSpan(lease: FleetLease): BookedSpan {
  // One object per lease, not a span spread into another: a search reads thousands.
  return {
    start: toEpochMicros(lease.start),
    end: toEpochMicros(lease.end),
    offerUuid: lease.offerUuid,
    parentLeaseUuid: lease.parentLeaseUuid,
  };
}

function window(span: Span, holder: BookingHolder): FreeSpan<BookingHolder> {
  return { start: span.start, end: span.end, source: holder };
}

function groupBy<T, V>(items: readonly T[], key: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(value(item));
    else groups.set(k, [value(item)]);
  }
  return groups;
}

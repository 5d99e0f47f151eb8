import fc from 'fast-check';
import { fromEpochMicros, toEpochMicros, toIso, UtcTime } from '../common/time';
import { FleetLease, FleetOffer } from '../leasing/data/fleet-bookings.repository';
import { BookableNode, BookingSource, freeWindowsByNode } from '../leasing/selection/bookable-fleet';
import { availabilityWindows } from './availability-windows';

/**
 * The availability search against a brute-force oracle: on random fleets (offers, claims,
 * direct leases, sub-leases, cleaning times, unhealthy and non-matching nodes), the earliest
 * window and the nodes free in it are what checking every candidate start instant one by one
 * finds. Times are whole hours after BASE.
 */
const BASE = toEpochMicros('2040-01-01 00:00:00.000000' as UtcTime);
const HOUR = 3_600_000_000n;
const at = (hour: number): UtcTime => fromEpochMicros(BASE + BigInt(hour) * HOUR);
const ME = 'me';

interface Node {
  uuid: string;
  gap: number;
  healthy: boolean;
  matches: boolean;
}
interface Offer {
  uuid: string;
  node: string;
  start: number;
  end: number;
  projectId: string;
  lesseeId: string | null;
}
interface Lease {
  node: string;
  start: number;
  end: number;
  offerUuid: string | null;
  parentLeaseUuid: string | null;
}
interface Fleet {
  nodes: Node[];
  offers: Offer[];
  leases: Lease[];
}
interface Search {
  source: BookingSource;
  count: number;
  duration: number;
  notBefore: number;
  notAfter: number;
}

const interval = fc
  .tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 40 }))
  .map(([start, length]) => ({ start, end: start + length }));

const fleetArb: fc.Arbitrary<Fleet> = fc
  .array(
    fc.record({
      gap: fc.constantFrom(0, 0, 1, 3),
      healthy: fc.constantFrom(true, true, true, false),
      matches: fc.constantFrom(true, true, true, false),
      // Offers on a node never overlap (the booking path refuses it): cut points in order.
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 6 }),
      owners: fc.array(fc.constantFrom('owner', 'owner', 'owner', ME), { minLength: 3, maxLength: 3 }),
      lessees: fc.array(fc.constantFrom(null, null, ME, 'other'), { minLength: 3, maxLength: 3 }),
      leases: fc.array(
        fc.record({ span: interval, kind: fc.constantFrom('offer', 'direct', 'sub'), which: fc.nat(2) }),
        {
          maxLength: 4,
        },
      ),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((specs) => {
    const fleet: Fleet = { nodes: [], offers: [], leases: [] };
    specs.forEach((spec, n) => {
      const uuid = `node-${n}`;
      fleet.nodes.push({ uuid, gap: spec.gap, healthy: spec.healthy, matches: spec.matches });
      const cuts = [...spec.cuts].sort((a, b) => a - b);
      const offers: Offer[] = [];
      for (let i = 0; i + 1 < cuts.length && offers.length < 3; i += 2) {
        offers.push({
          uuid: `${uuid}-offer-${offers.length}`,
          node: uuid,
          start: cuts[i],
          end: cuts[i + 1],
          projectId: spec.owners[offers.length],
          lesseeId: spec.lessees[offers.length],
        });
      }
      fleet.offers.push(...offers);
      for (const lease of spec.leases) {
        const offer = lease.kind === 'offer' ? offers[lease.which % Math.max(offers.length, 1)] : undefined;
        fleet.leases.push({
          node: uuid,
          ...lease.span,
          offerUuid: offer?.uuid ?? null,
          parentLeaseUuid: lease.kind === 'sub' ? 'some-parent' : null,
        });
      }
    });
    return fleet;
  });

const searchArb: fc.Arbitrary<Search> = fc
  .record({
    source: fc.constantFrom<BookingSource>('offers', 'owned'),
    count: fc.integer({ min: 1, max: 3 }),
    duration: fc.integer({ min: 1, max: 12 }),
    notBefore: fc.integer({ min: 0, max: 30 }),
    length: fc.integer({ min: 1, max: 90 }),
  })
  .map(({ length, ...s }) => ({ ...s, notAfter: s.notBefore + length }));

/** The search as the service runs it, on the fleet as BookableFleet would read it. */
function search(fleet: Fleet, s: Search): { start: string; resources: string[] } | null {
  const free = freeWindowsByNode({
    nodes: fleet.nodes.map((n) => ({ uuid: n.uuid, resourceClass: n.uuid, ownerProjectId: 'owner' })),
    offers: fleet.offers.map((o): FleetOffer => ({
      ...o,
      resourceUuid: o.node,
      parentLeaseUuid: null,
      start: at(o.start),
      end: at(o.end),
    })),
    leases: fleet.leases.map((l): FleetLease => ({ ...l, resourceUuid: l.node, start: at(l.start), end: at(l.end) })),
    source: s.source,
    projectId: ME,
    mayClaim: (offer) => offer.lesseeId === null || offer.lesseeId === ME,
    gapOf: (resourceClass) => BigInt(fleet.nodes.find((n) => n.uuid === resourceClass)!.gap) * HOUR,
    range: { start: BASE + BigInt(s.notBefore) * HOUR, end: BASE + BigInt(s.notAfter) * HOUR },
  });
  const bookable: BookableNode[] = fleet.nodes
    .filter((n) => free.has(n.uuid))
    .map((n) => ({
      resourceType: 'test_node',
      uuid: n.uuid,
      name: null,
      properties: {},
      matches: n.matches,
      healthy: n.healthy,
      free: free.get(n.uuid)!,
    }));
  const [first] = availabilityWindows(bookable, {
    count: s.count,
    durationSeconds: s.duration * 3600,
    notBefore: at(s.notBefore),
    notAfter: at(s.notAfter),
    limit: 1,
  });
  if (!first) return null;
  const resources = (first.resources as { resource_uuid: string }[]).map((r) => r.resource_uuid).sort();
  return { start: first.start_time as string, resources };
}

const overlaps = (a: { start: number; end: number }, start: number, end: number) => a.start < end && a.end > start;

/** Whether a lease of `node` for [t, t + duration) could be booked, by the rules written out. */
function bookableAt(fleet: Fleet, node: Node, s: Search, t: number): boolean {
  const end = t + s.duration;
  if (!node.healthy || !node.matches || t < s.notBefore || end > s.notAfter) return false;
  const leases = fleet.leases.filter((l) => l.node === node.uuid);
  const offers = fleet.offers.filter((o) => o.node === node.uuid);
  const clearOfTopLevel = leases.every((l) => l.parentLeaseUuid !== null || !overlaps(l, t - node.gap, end + node.gap));
  if (s.source === 'owned') {
    return clearOfTopLevel && leases.every((l) => !overlaps(l, t, end)) && offers.every((o) => !overlaps(o, t, end));
  }
  return offers.some(
    (o) =>
      o.projectId !== ME &&
      (o.lesseeId === null || o.lesseeId === ME) &&
      o.start <= t &&
      end <= o.end &&
      clearOfTopLevel &&
      leases.every((l) => l.offerUuid !== o.uuid || !overlaps(l, t, end)),
  );
}

/** Every instant a node can become bookable at, tried in order. */
function oracle(fleet: Fleet, s: Search): { start: string; resources: string[] } | null {
  const instants = new Set<number>([s.notBefore]);
  for (const o of fleet.offers) instants.add(o.start).add(o.end);
  for (const l of fleet.leases) for (const n of fleet.nodes) instants.add(l.end).add(l.end + n.gap);
  for (const t of [...instants].sort((a, b) => a - b)) {
    const free = fleet.nodes.filter((n) => bookableAt(fleet, n, s, t)).map((n) => n.uuid);
    if (free.length >= s.count) return { start: toIso(at(t)), resources: free.sort() };
  }
  return null;
}

describe('availabilityWindows on random fleets', () => {
  it('finds the earliest window, and the nodes free in it, that trying every candidate instant finds', () => {
    fc.assert(
      fc.property(fleetArb, searchArb, (fleet, s) => {
        expect(search(fleet, s)).toEqual(oracle(fleet, s));
      }),
      { numRuns: 1000 },
    );
  });

  it('lists later windows only after the count has dropped below the request', () => {
    // Two nodes; one busy 10..20: one window 0..10 for both, then one from 20.
    const fleet: Fleet = {
      nodes: [
        { uuid: 'x', gap: 0, healthy: true, matches: true },
        { uuid: 'y', gap: 0, healthy: true, matches: true },
      ],
      offers: [],
      leases: [{ node: 'x', start: 10, end: 20, offerUuid: null, parentLeaseUuid: null }],
    };
    const free = freeWindowsByNode({
      nodes: fleet.nodes.map((n) => ({ uuid: n.uuid, resourceClass: null, ownerProjectId: 'owner' })),
      offers: [],
      leases: fleet.leases.map((l): FleetLease => ({ ...l, resourceUuid: l.node, start: at(l.start), end: at(l.end) })),
      source: 'owned',
      projectId: ME,
      mayClaim: () => true,
      gapOf: () => 0n,
      range: { start: BASE, end: BASE + 40n * HOUR },
    });
    const nodes: BookableNode[] = fleet.nodes.map((n) => ({
      resourceType: 'test_node',
      uuid: n.uuid,
      name: `name-${n.uuid}`,
      properties: {},
      matches: true,
      healthy: true,
      free: free.get(n.uuid)!,
    }));
    expect(
      availabilityWindows(nodes, { count: 2, durationSeconds: 5 * 3600, notBefore: at(0), notAfter: at(40), limit: 5 }),
    ).toEqual([
      {
        start_time: '2040-01-01T00:00:00',
        end_time: '2040-01-01T05:00:00',
        latest_start: '2040-01-01T05:00:00',
        count: 2,
        resources: [
          { resource_uuid: 'x', resource: 'name-x', offer_uuid: null },
          { resource_uuid: 'y', resource: 'name-y', offer_uuid: null },
        ],
      },
      {
        start_time: '2040-01-01T20:00:00',
        end_time: '2040-01-02T01:00:00',
        latest_start: '2040-01-02T11:00:00',
        count: 2,
        resources: [
          { resource_uuid: 'x', resource: 'name-x', offer_uuid: null },
          { resource_uuid: 'y', resource: 'name-y', offer_uuid: null },
        ],
      },
    ]);
  });
});

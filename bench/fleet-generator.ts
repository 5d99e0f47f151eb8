import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { LeaseStatus, LeaseStatusName, OfferStatus } from '../src/leasing/data/statuses';
import { addDays, addSeconds, fromDate, UtcTime } from '../src/common/time';
import { LeaseEntity } from '../src/leasing/data/lease.entity';
import { NewLease } from '../src/leasing/data/leases.repository';
import { OfferEntity } from '../src/leasing/data/offer.entity';
import { NewOffer } from '../src/leasing/data/offers.repository';
import { insertRows } from '../test/helpers/insert-rows';

/** The projects of the generated fleet, as `[noauth] projects` entries and identity headers. */
export const BENCH_ADMIN = 'a0000000000000000000000000000001';
export const OWNERS = Array.from({ length: 10 }, (_, i) => `b00000000000000000000000000000${String(i).padStart(2, '0')}`);
export const LESSEES = Array.from({ length: 20 }, (_, i) => `c00000000000000000000000000000${String(i).padStart(2, '0')}`);
export const PROJECT_ENTRIES = [
  `${BENCH_ADMIN}:admin`,
  ...OWNERS.map((id, i) => `${id}:owner${i}`),
  ...LESSEES.map((id, i) => `${id}:lessee${i}`),
];

export interface FleetSize {
  nodes: number;
  /** Leases in total, sub-leases included (about `nodes * leasesPerNode`). */
  leases: number;
}

export const SMALL: FleetSize = { nodes: 100, leases: 1_000 };
export const LARGE: FleetSize = { nodes: 10_000, leases: 100_000 };

export interface Fleet {
  nodeUuids: string[];
  /** The `available` offer on each node, in node order. */
  currentOffers: string[];
  /** Current offers open to every project (no `lessee_id`). */
  claimable: string[];
  counts: { offers: number; leases: number; subLeases: number; byStatus: Record<string, number> };
}

const SLOT_DAYS = 2;

/** Deterministic, so two runs of the same size build the same fleet shape. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: [T, number][]): T {
  let r = rand();
  for (const [value, weight] of weighted) {
    if ((r -= weight) < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

const PAST: [LeaseStatusName, number][] = [
  [LeaseStatus.EXPIRED, 0.85],
  [LeaseStatus.DELETED, 0.1],
  [LeaseStatus.WAIT_EXPIRE, 0.03],
  [LeaseStatus.ERROR, 0.02],
];
const CURRENT: [LeaseStatusName, number][] = [
  [LeaseStatus.ACTIVE, 0.75],
  [LeaseStatus.WAIT_FULFILL, 0.08],
  [LeaseStatus.ERROR, 0.05],
  [LeaseStatus.WAIT_CANCEL, 0.05],
  [LeaseStatus.DELETED, 0.07],
];
const FUTURE: [LeaseStatusName, number][] = [
  [LeaseStatus.CREATED, 0.85],
  [LeaseStatus.DELETED, 0.15],
];
const CLASSES: [string, number][] = [
  ['baremetal', 0.6],
  ['fc430', 0.25],
  ['gpu', 0.15],
];

/**
 * Fills a migrated database with a fleet: one dummy node file per node, an `available` offer
 * per node (a fifth restricted to a lessee), some expired and deleted offers, and about
 * `leases / nodes` leases per node in 2-day slots from the past to the future, in every status,
 * never two occupying leases overlapping on one node. A fifth of the nodes whose current lease
 * is active carry a sub-offer and an active sub-lease under it. Rows go in with TypeORM bulk
 * inserts of the entities, so the column transformers are the repositories' own.
 */
export async function generateFleet(
  dataSource: DataSource,
  nodeDir: string,
  size: FleetSize,
  now: UtcTime = fromDate(new Date()),
): Promise<Fleet> {
  mkdirSync(nodeDir, { recursive: true });
  const rand = prng(size.nodes * 7919 + size.leases);
  const perNode = Math.max(1, Math.round(size.leases / size.nodes));
  const currentSlot = Math.floor(perNode * 0.6) - (perNode > 1 ? 1 : 0);
  const offers: NewOffer[] = [];
  const leases: NewLease[] = [];
  const subOffers: NewOffer[] = [];
  const subLeases: NewLease[] = [];
  const nodeUuids: string[] = [];
  const currentOffers: string[] = [];
  const claimable: string[] = [];

  const lease = (fields: Partial<NewLease> & Pick<NewLease, 'projectId' | 'ownerId' | 'resourceUuid' | 'startTime' | 'endTime' | 'status'>): NewLease => ({
    uuid: randomUUID(),
    name: null,
    purpose: null,
    resourceType: 'dummy_node',
    fulfillTime: null,
    expireTime: null,
    properties: {},
    offerUuid: null,
    parentLeaseUuid: null,
    createdAt: addDays(fields.startTime, -1),
    ...fields,
  });

  for (let n = 0; n < size.nodes; n++) {
    const nodeUuid = randomUUID();
    nodeUuids.push(nodeUuid);
    const owner = OWNERS[n % OWNERS.length];
    const node: Record<string, unknown> = {
      project_owner_id: owner,
      resource_class: pick(rand, CLASSES),
      properties: { cpus: 32 + (n % 4) * 16, memory_mb: 131072, local_gb: 900, cpu_arch: 'x86_64' },
      power_state: 'power off',
      provision_state: 'available',
    };
    const offer: NewOffer = {
      uuid: randomUUID(),
      name: n % 10 === 0 ? `offer-${n}` : null,
      projectId: owner,
      lesseeId: rand() < 0.2 ? LESSEES[n % LESSEES.length] : null,
      resourceType: 'dummy_node',
      resourceUuid: nodeUuid,
      startTime: addDays(now, -30),
      endTime: addDays(now, 30),
      status: OfferStatus.AVAILABLE,
      properties: { floor: n % 7 },
      parentLeaseUuid: null,
      createdAt: addDays(now, -31),
    };
    offers.push(offer);
    currentOffers.push(offer.uuid);
    if (offer.lesseeId === null) claimable.push(offer.uuid);
    if (rand() < 0.3) {
      offers.push({ ...offer, uuid: randomUUID(), name: null, startTime: addDays(now, -90), endTime: addDays(now, -30), status: OfferStatus.EXPIRED, createdAt: addDays(now, -91) });
    }
    if (rand() < 0.1) {
      offers.push({ ...offer, uuid: randomUUID(), name: null, startTime: addDays(now, 30), endTime: addDays(now, 60), status: OfferStatus.DELETED, createdAt: addDays(now, -2) });
    }

    const withSubLease = rand() < 0.2;
    const slots = withSubLease && perNode > 1 ? perNode - 1 : perNode;
    for (let j = 0; j < slots; j++) {
      const start = addDays(addSeconds(now, 3600), (j - currentSlot) * SLOT_DAYS - 1);
      const end = addSeconds(addDays(start, SLOT_DAYS), -7200);
      const when = j < currentSlot ? PAST : j === currentSlot ? CURRENT : FUTURE;
      const status = pick(rand, when);
      const lessee = LESSEES[Math.floor(rand() * LESSEES.length)];
      const fromOffer = rand() < 0.7;
      const row = lease({
        name: rand() < 0.1 ? `lease-${n}-${j}` : null,
        projectId: lessee,
        ownerId: owner,
        purpose: rand() < 0.3 ? 'research' : null,
        resourceUuid: nodeUuid,
        startTime: start,
        endTime: end,
        status,
        offerUuid: fromOffer ? offer.uuid : null,
        fulfillTime: j <= currentSlot && status !== LeaseStatus.WAIT_FULFILL ? start : null,
        expireTime: status === LeaseStatus.EXPIRED || status === LeaseStatus.DELETED ? (j < currentSlot ? end : now) : null,
      });
      leases.push(row);
      if (j === currentSlot && status === LeaseStatus.ACTIVE) {
        node.lease_uuid = row.uuid;
        node.project_id = row.projectId;
        if (withSubLease) {
          const subLessee = LESSEES[(LESSEES.indexOf(lessee) + 1) % LESSEES.length];
          const subOffer: NewOffer = {
            ...offer,
            uuid: randomUUID(),
            name: null,
            projectId: lessee,
            lesseeId: null,
            startTime: start,
            endTime: end,
            parentLeaseUuid: row.uuid,
            createdAt: start,
          };
          subOffers.push(subOffer);
          const sub = lease({
            projectId: subLessee,
            ownerId: lessee,
            resourceUuid: nodeUuid,
            startTime: addSeconds(start, 3600),
            endTime: addSeconds(end, -3600),
            status: LeaseStatus.ACTIVE,
            fulfillTime: addSeconds(start, 3600),
            offerUuid: subOffer.uuid,
            parentLeaseUuid: row.uuid,
          });
          subLeases.push(sub);
          node.lease_uuid = sub.uuid;
          node.project_id = sub.projectId;
        }
      }
    }
    writeFileSync(path.join(nodeDir, nodeUuid), JSON.stringify(node));
  }

  // offers <-> leases reference each other: parents before children.
  await insertRows(dataSource, OfferEntity, offers);
  await insertRows(dataSource, LeaseEntity, leases);
  await insertRows(dataSource, OfferEntity, subOffers);
  await insertRows(dataSource, LeaseEntity, subLeases);

  const byStatus: Record<string, number> = {};
  for (const l of [...leases, ...subLeases]) byStatus[l.status] = (byStatus[l.status] ?? 0) + 1;
  return {
    nodeUuids,
    currentOffers,
    claimable,
    counts: {
      offers: offers.length + subOffers.length,
      leases: leases.length + subLeases.length,
      subLeases: subLeases.length,
      byStatus,
    },
  };
}

/** A dummy node file with no lease on it, for the manager benchmarks. */
export function writeIdleNode(nodeDir: string, uuid: string, owner: string): void {
  writeFileSync(
    path.join(nodeDir, uuid),
    JSON.stringify({ project_owner_id: owner, resource_class: 'baremetal', properties: {}, power_state: 'power off', provision_state: 'available' }),
  );
}

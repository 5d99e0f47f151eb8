import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { sleep } from './race-cluster';

/**
 * "Live" leases: every status in which a lease still books its window, holds its node, or may
 * still be given one. `created` and `wait fulfill` are handed the node by the manager at their
 * start; `active` holds it; `wait expire` and `wait cancel` were told to end but still hold the
 * node until the driver lets go (the dummy driver never fails, so a settled manager leaves none
 * behind); `error` keeps blocking its window, so that a stuck lease is never double-booked, and
 * is expired by the manager at its end. Only `deleted` and `expired` are over.
 */
export const LIVE_LEASE = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error'];
/** Offers and leases that are over: nothing may still be born from them or live under them. */
export const ENDED = ['deleted', 'expired'];

/**
 * While a scenario runs, a lease in `wait cancel`/`wait expire` under an ended parent is not an
 * orphan: its end was decided with its parent's and waits only for its node to come back. An
 * orphan is a dependant nobody told to end.
 */
export const NOT_ENDING_LEASE = ['created', 'active', 'wait fulfill', 'error'];

const inList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const LIVE = inList(LIVE_LEASE);
const OVER = inList(ENDED);

/** Leases on an ended offer, and children (leases, open sub-offers) of an ended parent, in one of `statuses`. */
const orphansSql = (statuses: readonly string[]) => `
  SELECT l.uuid AS uuid, 'lease on ended offer' AS kind FROM leases l JOIN offers o ON o.uuid = l.offer_uuid
   WHERE o.status IN (${OVER}) AND l.status IN (${inList(statuses)}) AND l.resource_uuid LIKE ?
  UNION ALL
  SELECT l.uuid, 'lease under ended parent' FROM leases l JOIN leases p ON p.uuid = l.parent_lease_uuid
   WHERE p.status IN (${OVER}) AND l.status IN (${inList(statuses)}) AND l.resource_uuid LIKE ?
  UNION ALL
  SELECT o.uuid, 'sub-offer under ended parent' FROM offers o JOIN leases p ON p.uuid = o.parent_lease_uuid
   WHERE p.status IN (${OVER}) AND o.status = 'available' AND o.resource_uuid LIKE ?`;

/** Each scenario books its own nodes, named `<scope>-<n>`: its audit reads only those. */
const like = (scope: string) => `${scope}-%`;

export interface Orphan {
  uuid: string;
  kind: string;
}

/** One consistent read (a single statement) of the dependants in `statuses` under ended offers or parents. */
export async function orphansNow(
  ds: DataSource,
  scope: string,
  statuses: readonly string[] = LIVE_LEASE,
): Promise<Orphan[]> {
  const rows: Array<{ uuid: string; kind: string }> = await ds.query(orphansSql(statuses), [
    like(scope),
    like(scope),
    like(scope),
  ]);
  return rows.map((r) => ({ uuid: r.uuid, kind: r.kind }));
}

/**
 * Samples `orphansNow` every `everyMs` while a scenario runs. Each sample is one statement, so
 * it sees every transaction whole or not at all: an invalidation that ends the dependants and
 * then the parent in one transaction never shows an orphan; one that lets a booking slip in
 * between its steps does, until the manager ends the straggler. This catches the orphans that
 * expiry leaves, which the manager ends at their own (near) end before the final audit.
 */
export class OrphanSampler {
  readonly seen = new Map<string, string>();
  samples = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(ds: DataSource, scope: string, everyMs = 50) {
    this.loop = (async () => {
      while (this.running) {
        for (const o of await orphansNow(ds, scope, NOT_ENDING_LEASE)) this.seen.set(o.uuid, o.kind);
        this.samples += 1;
        await sleep(everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export interface Audit {
  /** Live leases on a deleted or expired offer, live children and open sub-offers of an ended parent. */
  orphans: Orphan[];
  /** Leases fulfilled (given a node) after their offer or their parent lease had ended. */
  fulfilledAfterEnd: string[];
  /** Node files that name a lease which is not active, or whose offer or parent has ended. */
  nodesOnDeadLeases: string[];
  /** Live children (leases, open sub-offers) reaching outside the window of their live parent. */
  childrenOutsideParent: string[];
  /** Pairs of live leases overlapping on one node (a sub-lease and its own parent excepted). */
  leaseOverlaps: number;
  /** Pairs of an open offer and a live lease or another open offer overlapping at the same level. */
  offerOverlaps: number;
}

export async function audit(ds: DataSource, nodeDir: string, scope: string): Promise<Audit> {
  const fulfilled: Array<{ uuid: string }> = await ds.query(
    `SELECT l.uuid FROM leases l
       LEFT JOIN offers o ON o.uuid = l.offer_uuid AND o.status IN (${OVER})
       LEFT JOIN leases p ON p.uuid = l.parent_lease_uuid AND p.status IN (${OVER})
      WHERE l.fulfill_time IS NOT NULL
        AND ((o.id IS NOT NULL AND l.fulfill_time > o.updated_at) OR (p.id IS NOT NULL AND l.fulfill_time > p.expire_time))
        AND l.resource_uuid LIKE ?`,
    [like(scope)],
  );
  const outside: Array<{ uuid: string }> = await ds.query(
    `SELECT c.uuid FROM leases c JOIN leases p ON p.uuid = c.parent_lease_uuid
      WHERE c.status IN (${LIVE}) AND p.status IN (${LIVE}) AND (c.start_time < p.start_time OR c.end_time > p.end_time)
        AND c.resource_uuid LIKE ?
     UNION ALL
     SELECT c.uuid FROM offers c JOIN leases p ON p.uuid = c.parent_lease_uuid
      WHERE c.status = 'available' AND p.status IN (${LIVE}) AND (c.start_time < p.start_time OR c.end_time > p.end_time)
        AND c.resource_uuid LIKE ?`,
    [like(scope), like(scope)],
  );
  const [leasePairs] = await ds.query(
    `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
        AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
        AND x.start_time < y.end_time AND x.end_time > y.start_time
      WHERE x.status IN (${LIVE}) AND y.status IN (${LIVE})
        AND (x.parent_lease_uuid IS NULL OR x.parent_lease_uuid <> y.uuid)
        AND (y.parent_lease_uuid IS NULL OR y.parent_lease_uuid <> x.uuid)
        AND x.resource_uuid LIKE ?`,
    [like(scope)],
  );
  // Offers at the same level: both top-level, or both under the same parent lease. A lease
  // conflicts with an offer of its level unless it was claimed from that very offer.
  const sameLevel = (x: string, y: string) =>
    `((${x}.parent_lease_uuid IS NULL AND ${y}.parent_lease_uuid IS NULL) OR ${x}.parent_lease_uuid = ${y}.parent_lease_uuid)`;
  const [offerPairs] = await ds.query(
    `SELECT
       (SELECT COUNT(*) FROM offers x JOIN offers y ON x.id < y.id
           AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
           AND x.start_time < y.end_time AND x.end_time > y.start_time
         WHERE x.status = 'available' AND y.status = 'available' AND ${sameLevel('x', 'y')} AND x.resource_uuid LIKE ?)
     + (SELECT COUNT(*) FROM offers x JOIN leases y
           ON x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
           AND x.start_time < y.end_time AND x.end_time > y.start_time
         WHERE x.status = 'available' AND y.status IN (${LIVE}) AND ${sameLevel('x', 'y')}
           AND (y.offer_uuid IS NULL OR y.offer_uuid <> x.uuid) AND x.resource_uuid LIKE ?) AS n`,
    [like(scope), like(scope)],
  );
  return {
    orphans: await orphansNow(ds, scope),
    fulfilledAfterEnd: fulfilled.map((r) => r.uuid),
    nodesOnDeadLeases: await nodesOnDeadLeases(ds, nodeDir, scope),
    childrenOutsideParent: outside.map((r) => r.uuid),
    leaseOverlaps: Number(leasePairs.n),
    offerOverlaps: Number(offerPairs.n),
  };
}

/** Node files (the driver's own state, read from disk) that carry a lease which should not hold a node. */
async function nodesOnDeadLeases(ds: DataSource, nodeDir: string, scope: string): Promise<string[]> {
  const held = new Map<string, { lease: string; project: unknown }>();
  for (const name of readdirSync(nodeDir)) {
    if (!name.startsWith(`${scope}-`)) continue;
    const doc = JSON.parse(readFileSync(path.join(nodeDir, name), 'utf8')) as Record<string, unknown>;
    if (typeof doc.lease_uuid === 'string' && doc.lease_uuid)
      held.set(name, { lease: doc.lease_uuid, project: doc.project_id });
  }
  if (held.size === 0) return [];
  const uuids = [...new Set([...held.values()].map((h) => h.lease))];
  const rows: Array<{
    uuid: string;
    status: string;
    project_id: string;
    offer_status: string | null;
    parent_status: string | null;
  }> = [];
  for (let i = 0; i < uuids.length; i += 500) {
    const chunk = uuids.slice(i, i + 500);
    rows.push(
      ...(await ds.query(
        `SELECT l.uuid, l.status, l.project_id, o.status AS offer_status, p.status AS parent_status
           FROM leases l LEFT JOIN offers o ON o.uuid = l.offer_uuid LEFT JOIN leases p ON p.uuid = l.parent_lease_uuid
          WHERE l.uuid IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      )),
    );
  }
  const byUuid = new Map(rows.map((r) => [r.uuid, r]));
  const bad: string[] = [];
  for (const [node, { lease, project }] of held) {
    const row = byUuid.get(lease);
    const dead =
      !row ||
      row.status !== 'active' ||
      row.project_id !== project ||
      ENDED.includes(row.offer_status ?? '') ||
      ENDED.includes(row.parent_status ?? '');
    if (dead)
      bad.push(
        `${node} -> ${lease} (${row ? `${row.status}, offer ${row.offer_status}, parent ${row.parent_status}` : 'no such lease'})`,
      );
  }
  return bad;
}

/** One line for the summary table. */
export function describeAudit(a: Audit, sampled?: OrphanSampler): string {
  const parts = [
    `live on ended offer/parent: ${a.orphans.length}`,
    `fulfilled after offer/parent ended: ${a.fulfilledAfterEnd.length}`,
    `nodes on ended/orphan leases: ${a.nodesOnDeadLeases.length}`,
    `children outside parent: ${a.childrenOutsideParent.length}`,
    `overlaps: ${a.leaseOverlaps + a.offerOverlaps}`,
  ];
  if (sampled) parts.push(`orphans seen while racing: ${sampled.seen.size} in ${sampled.samples} samples`);
  return parts.join('; ');
}

import { P } from '../../support/projects';
import { EXPIRY_BATCH, EXPIRY_TRAFFIC, sendAroundExpiry, waitForStatus } from './race-waits';
import { Answer, DAY, HOUR, iso, patchTime, RaceCluster } from './race-cluster';
import { afterAWhile, created, INVALIDATION_LIMIT, LOST, RaceTally, somewhere } from './race-tally';

interface Parent {
  uuid: string;
  node: string;
  /** Its end, epoch ms. */
  T: number;
}

/**
 * Parent leases for P.lessee, created by the admin on fresh nodes, once the manager has
 * fulfilled them: sub-leasing needs the node in the parent's hands.
 */
async function activeParents(
  cluster: RaceCluster,
  prefix: string,
  windows: ReadonlyArray<{ start?: number; end: number }>,
): Promise<Parent[]> {
  const nodes = cluster.addNodes(prefix, windows.length);
  const parents = await Promise.all(
    windows.map(async ({ start, end }, i) => {
      const a = await cluster.request(i, 'POST', '/v1/leases', 'admin', {
        resource_uuid: nodes[i],
        project_id: P.lessee,
        ...(start === undefined ? {} : { start_time: iso(start) }),
        end_time: iso(end),
      });
      return { uuid: created(a, 'parent lease').uuid as string, node: nodes[i], T: end };
    }),
  );
  await waitForStatus(
    cluster.db.dataSource,
    'leases',
    parents.map((p) => p.uuid),
    ['active'],
  );
  return parents;
}

/** `count` parents starting now (the server's) and ending `days` from now. */
const fromNow = (count: number, days: number) =>
  Array.from({ length: count }, () => ({ end: Date.now() + days * DAY }));

/**
 * A child booking under a parent, as its lessee would make it: a sub-lease for P.child, or a
 * sub-offer which a third project (P.other) claims as soon as it exists. Returns every answer.
 */
async function child(
  cluster: RaceCluster,
  t: RaceTally,
  replica: number,
  kind: 'sublease' | 'suboffer',
  node: string,
  window: { start_time?: string; end_time: string },
): Promise<Answer[]> {
  if (kind === 'sublease') {
    const a = await cluster.request(replica, 'POST', '/v1/leases', 'sublessor', {
      resource_uuid: node,
      project_id: P.child,
      ...window,
    });
    return [t.add('sub-lease', a, [201, ...LOST])];
  }
  const offer = t.add(
    'sub-offer',
    await cluster.request(replica, 'POST', '/v1/offers', 'sublessor', { resource_uuid: node, ...window }),
    [201, ...LOST],
  );
  if (offer.status !== 201) return [offer];
  const claim = await cluster.request(
    replica + 1,
    'POST',
    `/v1/offers/${offer.body!.uuid}/claim`,
    'otherLessee',
    window,
  );
  return [offer, t.add('claim of sub-offer', claim, [201, ...LOST])];
}

/**
 * Parent lease cancel (DELETE by its lessee) vs N sub-leases and sub-offers (and a third
 * project's claims of those sub-offers). Each round, PARENTS fresh active parents; for each, a
 * burst of CHILDREN child bookings in distinct windows (the first sub-lease starting now, so a
 * survivor would be handed the node), with the DELETE at a varying point and moment. A race: one child
 * request in flight while the DELETE of its parent is.
 */
export async function parentCancelVsChildren(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const PARENTS = 8;
  const CHILDREN = 16;
  const t = new RaceTally();
  const supply = () => activeParents(cluster, 'pcan', fromNow(PARENTS, 10));
  let upcoming = supply();
  while (t.races < target && t.invalidations < INVALIDATION_LIMIT) {
    t.invalidations += PARENTS;
    const parents = await upcoming;
    // The next round's parents are fulfilled while this round races.
    upcoming = supply();
    const now = Date.now();
    await Promise.all(
      parents.map(async ({ uuid: parent, node }, i) => {
        const at = somewhere(CHILDREN / 4, CHILDREN);
        let cancel!: Promise<Answer>;
        const children: Array<Promise<Answer[]>> = [];
        for (let j = 0; j < CHILDREN; j++) {
          if (j === at)
            cancel = afterAWhile(25, () => cluster.request(i + 1, 'DELETE', `/v1/leases/${parent}`, 'lessee'));
          const window =
            j === 0
              ? { end_time: iso(now + HOUR) }
              : { start_time: iso(now + 2 * j * HOUR), end_time: iso(now + (2 * j + 1) * HOUR) };
          children.push(child(cluster, t, i + j, j % 3 === 2 ? 'suboffer' : 'sublease', node, window));
        }
        const [c, answers] = await Promise.all([cancel, Promise.all(children)]);
        t.add('cancel', c, [200]);
        t.countRaces(answers.flat(), c.sentAt, c.answeredAt);
      }),
    );
  }
  await upcoming;
  return t;
}

/**
 * Parent lease expiry vs sub-leases and sub-offers. Each batch, EXPIRY_BATCH.size fresh active
 * parents end one after another a few seconds ahead; around each parent's T, its lessee sends
 * child bookings as EXPIRY_TRAFFIC says until just after the manager has expired it
 * (alternately sub-lease and sub-offer, distinct windows inside the parent), and P.other claims
 * each sub-offer at once. A race: one child request in flight between the parent's T and its expiry
 * (its `expire_time`).
 */
export async function parentExpiryVsChildren(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const t = new RaceTally();
  while (t.races < target && t.invalidations < INVALIDATION_LIMIT) {
    const first = Date.now() + 3000;
    const windows = Array.from({ length: EXPIRY_BATCH.size }, (_, i) => {
      const end = first + i * EXPIRY_BATCH.staggerMs;
      return { start: end - 3 * HOUR, end };
    });
    const parents = await activeParents(cluster, 'pexp', windows);
    t.invalidations += parents.length;
    const { answers, endedAt } = await sendAroundExpiry(
      cluster.db.dataSource,
      'leases',
      'expired',
      parents,
      EXPIRY_TRAFFIC,
      (i, s) => {
        const from = parents[i].T - 2 * HOUR + s * 10_000;
        return child(cluster, t, i + s, s % 2 ? 'suboffer' : 'sublease', parents[i].node, {
          start_time: iso(from),
          end_time: iso(from + 10_000),
        });
      },
    );
    parents.forEach((p, i) => t.countRaces(answers[i], p.T, endedAt[i]));
  }
  return t;
}

/**
 * Parent shrink (admin PATCH of end_time to an earlier time E) vs sub-lease creation. Each
 * round, PARENTS fresh active parents; for each, CHILDREN child bookings in consecutive one-hour
 * windows from E - 2h (two end by E, the rest reach past it), with the PATCH at a varying point.
 * Whatever the order, a live parent must never end inside a live child's window. A race: one
 * child request whose window reaches past E, in flight while the PATCH is.
 */
export async function shrinkVsSubLease(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const PARENTS = 8;
  const CHILDREN = 12;
  const SAFE = 2;
  const t = new RaceTally();
  const supply = () => activeParents(cluster, 'shr', fromNow(PARENTS, 30));
  let upcoming = supply();
  while (t.races < target && t.invalidations < INVALIDATION_LIMIT) {
    t.invalidations += PARENTS;
    const parents = await upcoming;
    upcoming = supply();
    const E = Math.ceil(Date.now() / 1000) * 1000 + 5 * DAY;
    await Promise.all(
      parents.map(async ({ uuid: parent, node }, i) => {
        const at = somewhere(0, CHILDREN);
        let shrink!: Promise<Answer>;
        const children: Array<Promise<Answer[]>> = [];
        for (let j = 0; j < CHILDREN; j++) {
          if (j === at)
            shrink = cluster.request(i + 1, 'PATCH', `/v1/leases/${parent}`, 'admin', { end_time: patchTime(E) });
          const from = E - SAFE * HOUR + j * HOUR;
          children.push(
            child(cluster, t, i + j, j % 4 === 3 ? 'suboffer' : 'sublease', node, {
              start_time: iso(from),
              end_time: iso(from + HOUR),
            }),
          );
        }
        const [s, answers] = await Promise.all([shrink, Promise.all(children)]);
        t.add('shrink', s, [200, 409]);
        t.countRaces(
          answers.slice(SAFE).map((a) => a[0]),
          s.sentAt,
          s.answeredAt,
        );
      }),
    );
  }
  await upcoming;
  return t;
}

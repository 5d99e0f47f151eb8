import { TestDatabaseKind, testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { audit, describeAudit, OrphanSampler } from './support/race-audit';
import { Answer, DAY, HOUR, RaceCluster } from './support/race-cluster';
import {
  claimBurst,
  LIMITS_FILE,
  openOffers,
  QUOTA_NODES,
  selfServiceExtensionVsClaims,
} from './support/race-limits-scenarios';
import { RaceTally } from './support/race-tally';
import { settle } from './support/race-waits';
import { printSummary, recordRow } from './support/summary';

/**
 * The lease limits under concurrency, with two API processes and a manager on one database
 * and a limits file beside their configuration: a lessee's self-service extension races
 * claims of the window it extends into (exactly one may win each), and one project's burst of
 * claims meets its node quota (never more nodes held at any instant than the quota allows,
 * checked over the lease rows; every refusal a 403 naming the quota).
 */
const RACES: Record<TestDatabaseKind, number> = {
  mariadb: Number(process.env.ESI_LEAP_RACES_MARIADB ?? 1000),
  sqlite: Number(process.env.ESI_LEAP_RACES_SQLITE ?? 250),
};
const CLAIMS = 200;
const LABEL: Record<TestDatabaseKind, string> = { mariadb: 'MariaDB', sqlite: 'SQLite' };
const OVER = "('deleted', 'expired')";

describe.each(testDatabaseKinds())('lease limits under concurrency (%s, 2 API processes + manager)', (kind) => {
  let cluster: RaceCluster;

  beforeAll(async () => {
    cluster = await RaceCluster.start(kind, { files: { 'lease-limits.yaml': LIMITS_FILE } });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    printSummary();
  });

  it("a lessee's self-service extension vs claims of the same window: exactly one wins each", async () => {
    const sampler = new OrphanSampler(cluster.db.dataSource, 'sse');
    let tally!: RaceTally;
    try {
      tally = await selfServiceExtensionVsClaims(cluster, RACES[kind]);
      await settle(cluster.db.dataSource);
    } finally {
      await sampler.stop();
    }
    const result = await audit(cluster.db.dataSource, cluster.nodeDir, 'sse');
    recordRow({
      scenario: `race: self-service extension vs claim of the same window (${LABEL[kind]})`,
      load: `${tally.races} races against ${tally.invalidations} extensions, ${tally.requests} requests, ${tally.seconds().toFixed(1)} s`,
      faults: 'lessee PATCH under esi_leap:lease:extend racing claims over 2 API processes + manager',
      result: `${describeAudit(result, sampler)}; winners per window: ${tally.describeWinners()}; answers: ${tally.describeStatuses()}`,
    });
    expect(tally.races).toBeGreaterThanOrEqual(RACES[kind]);
    // Both sides won windows: the PATCH reached the server before and after the claims.
    expect(tally.statuses.get('self-service patch 200') ?? 0).toBeGreaterThan(0);
    expect(tally.statuses.get('claim 201') ?? 0).toBeGreaterThan(0);
    expect({
      'answers other than the expected ones': tally.unexpected,
      'processes that died': cluster.exited(),
      'windows without exactly one winner': tally.winners.filter((w) => w !== 1).length,
      'overlapping bookings': result.leaseOverlaps + result.offerOverlaps,
    }).toEqual({
      'answers other than the expected ones': [],
      'processes that died': 0,
      'windows without exactly one winner': 0,
      'overlapping bookings': 0,
    });
  }, 300_000);

  it(`${CLAIMS} parallel claims by one project with a node quota of ${QUOTA_NODES}: never more nodes held at once, every refusal a 403 naming the quota`, async () => {
    const started = Date.now();
    const from = Math.ceil(Date.now() / 1000) * 1000 + DAY;
    const offers = await openOffers(cluster, 'quota', CLAIMS, from);
    // All in one window: exactly the quota's worth may win.
    const sameWindow = await claimBurst(cluster, offers, () => ({ start: from, end: from + HOUR }));
    const mostAfterFirst = await mostHeldAtOnce();
    // Windows scattered over two days: who may win depends on the order they commit in.
    const scattered = await claimBurst(cluster, offers, () => {
      const start = from + 2 * DAY + Math.floor(Math.random() * 48) * HOUR;
      return { start, end: start + (1 + Math.floor(Math.random() * 12)) * HOUR };
    });
    const most = await mostHeldAtOnce();
    const answers = [...sameWindow, ...scattered];
    const statuses = countStatuses(answers);
    const refusals = answers.filter((a) => a.status === 403);
    const unnamed = refusals.filter((a) => !namesTheQuota(a));
    recordRow({
      scenario: `quota: ${CLAIMS} parallel claims by one project, node quota ${QUOTA_NODES} (${LABEL[kind]})`,
      load: `2 bursts of ${CLAIMS} claims (one window, then scattered over 2 days), ${((Date.now() - started) / 1000).toFixed(1)} s`,
      faults: 'claims of distinct nodes by one project at once over 2 API processes + manager',
      result: `most nodes held at once: ${most}; answers: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`,
    });
    expect(countStatuses(sameWindow)).toEqual(
      new Map([
        [201, QUOTA_NODES],
        [403, CLAIMS - QUOTA_NODES],
      ]),
    );
    expect(mostAfterFirst).toBe(QUOTA_NODES);
    expect(most).toBeLessThanOrEqual(QUOTA_NODES);
    expect([...statuses.keys()].sort()).toEqual([201, 403]);
    expect(unnamed.map((a) => a.body)).toEqual([]);
    expect(cluster.exited()).toBe(0);
  }, 300_000);

  /** The most distinct nodes `other`'s live leases hold at one instant: at some lease's start, by SQL. */
  async function mostHeldAtOnce(): Promise<number> {
    const [{ most }] = (await cluster.db.dataSource.query(
      `SELECT MAX(held) AS most FROM (
         SELECT a.id, COUNT(DISTINCT b.resource_uuid) AS held FROM leases a
           JOIN leases b ON b.project_id = a.project_id AND b.start_time <= a.start_time AND b.end_time > a.start_time
          WHERE a.project_id = ? AND a.status NOT IN ${OVER} AND b.status NOT IN ${OVER}
          GROUP BY a.id) per_start`,
      [P.other],
    )) as { most: number | string | null }[];
    return Number(most ?? 0);
  }
});

function countStatuses(answers: readonly Answer[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of answers) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return new Map([...counts].sort(([x], [y]) => x - y));
}

function namesTheQuota(a: Answer): boolean {
  const prefix = `Quota exceeded for project ${P.other}: at most ${QUOTA_NODES} nodes held at once; `;
  return (
    a.body?.faultstring?.startsWith(prefix) === true &&
    a.body.quota?.name === 'nodes' &&
    a.body.quota.limit === QUOTA_NODES &&
    a.body.quota.usage + a.body.quota.requested > QUOTA_NODES
  );
}

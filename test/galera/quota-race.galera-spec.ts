import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { headersFor, P, Persona } from '../support/projects';
import { LIMITS_FILE, QUOTA_NODES } from '../reliability/support/race-limits-scenarios';
import { printSummary, recordRow } from '../reliability/support/summary';
import { EsiLeapProcess } from './support/esi-leap-processes';
import { checksumsPerNode, queryNode, retriedByGalera } from './support/galera-cluster';
import { GaleraFixture } from './support/galera-fixture';

/**
 * A project's node quota under concurrency on Galera with every node taking writes: two API
 * processes, A on node 1 and B on node 2 (HAProxy "node N first"), each with a pool of 25, take
 * CLAIMS claims by one project at once, one per offer, alternating between them. Two bookings of
 * the project serialise on the project's `resource_locks` row; on two nodes that row's lock is
 * not shared, so they meet at certification instead (errno 1213, retried). Afterwards, by SQL on
 * node 3 (which neither process writes to): the project never holds more nodes at one instant
 * than its quota; every refusal is the 403 naming the quota that one database gives; no 500.
 */
const CLAIMS = 200;
const POOL_SIZE = 25;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const OVER = "('deleted', 'expired')";

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '');

interface Answer {
  status: number;
  body: Record<string, any>;
  process: 'A' | 'B';
}

describe('a project quota under concurrent claims on Galera, all nodes writing', () => {
  let fixture: GaleraFixture;
  let apis: EsiLeapProcess[];

  beforeAll(async () => {
    fixture = await GaleraFixture.create();
    // limits_file is read beside the configuration: the quota of the `other` project.
    writeFileSync(path.join(fixture.dir, 'lease-limits.yaml'), LIMITS_FILE);
    const urls = fixture.cluster.nodeFirstUrls;
    const options = { database: { max_pool_size: POOL_SIZE } };
    apis = [
      await fixture.processes.start('api', fixture.writeConf('quota-api-a', urls[0], options)),
      await fixture.processes.start('api', fixture.writeConf('quota-api-b', urls[1], options)),
    ];
  }, 300_000);

  afterAll(async () => {
    await fixture?.close();
    printSummary();
  });

  async function send(i: number, method: string, url: string, persona: Persona, body: unknown): Promise<Answer> {
    const res = await fetch(`${apis[i % 2].url}${url}`, {
      method,
      headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any>, process: i % 2 ? 'B' : 'A' };
  }

  /** One claim by `other` per offer, all at once, spread over both processes. */
  const burst = (offers: readonly string[], window: (i: number) => { start: number; end: number }) =>
    Promise.all(
      offers.map((uuid, i) => {
        const { start, end } = window(i);
        return send(i, 'POST', `/v1/offers/${uuid}/claim`, 'otherLessee', {
          start_time: iso(start),
          end_time: iso(end),
        });
      }),
    );

  /** The most distinct nodes `other`'s live leases hold at one instant (at some lease's start), on node 3. */
  async function mostHeldAtOnce(): Promise<number> {
    const [{ most }] = await queryNode<{ most: number | string | null }>(
      fixture.cluster,
      3,
      fixture.db.name,
      `SELECT MAX(held) AS most FROM (
         SELECT a.id, COUNT(DISTINCT b.resource_uuid) AS held FROM leases a
           JOIN leases b ON b.project_id = a.project_id AND b.start_time <= a.start_time AND b.end_time > a.start_time
          WHERE a.project_id = ? AND a.status NOT IN ${OVER} AND b.status NOT IN ${OVER}
          GROUP BY a.id) per_start`,
      [P.other],
    );
    return Number(most ?? 0);
  }

  it(`${CLAIMS} parallel claims by one project with a node quota of ${QUOTA_NODES} over two nodes: never more held at once, every refusal a 403 naming the quota`, async () => {
    const from = Math.ceil(Date.now() / 1000) * 1000 + DAY;
    const offers: string[] = [];
    for (let i = 0; i < CLAIMS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, CLAIMS - i) }, async (_, j) => {
          const node = `gquota-${i + j}`;
          fixture.addNode(node);
          const offer = await send(i + j, 'POST', '/v1/offers', 'owner', {
            resource_uuid: node,
            start_time: iso(from - HOUR),
            end_time: iso(from + 365 * DAY),
          });
          if (offer.status !== 201) throw new Error(`offer on ${node}: ${offer.status} ${JSON.stringify(offer.body)}`);
          return offer.body.uuid as string;
        }),
      );
      offers.push(...batch);
    }

    const before = await retriedByGalera(fixture.cluster);
    const started = Date.now();
    // All in one window: exactly the quota's worth may win.
    const sameWindow = await burst(offers, () => ({ start: from, end: from + HOUR }));
    const mostAfterFirst = await mostHeldAtOnce();
    // Windows scattered over two days: who may win depends on the order they commit in.
    const scattered = await burst(offers, () => {
      const start = from + 2 * DAY + Math.floor(Math.random() * 48) * HOUR;
      return { start, end: start + (1 + Math.floor(Math.random() * 12)) * HOUR };
    });
    const seconds = (Date.now() - started) / 1000;
    const after = await retriedByGalera(fixture.cluster);
    const most = await mostHeldAtOnce();

    const answers = [...sameWindow, ...scattered];
    const statuses = countStatuses(answers);
    const sameWindowStatuses = countStatuses(sameWindow);
    expect(sameWindowStatuses).toEqual(
      new Map([
        [201, QUOTA_NODES],
        [403, CLAIMS - QUOTA_NODES],
      ]),
    );
    expect(mostAfterFirst).toBe(QUOTA_NODES);
    expect(most).toBeLessThanOrEqual(QUOTA_NODES);
    expect([...statuses.keys()]).toEqual([201, 403]);
    const prefix = `Quota exceeded for project ${P.other}: at most ${QUOTA_NODES} nodes held at once; `;
    const unnamed = answers.filter(
      (a) =>
        a.status === 403 &&
        !(
          String(a.body.faultstring).startsWith(prefix) &&
          a.body.quota?.name === 'nodes' &&
          a.body.quota.limit === QUOTA_NODES &&
          a.body.quota.usage + a.body.quota.requested > QUOTA_NODES
        ),
    );
    expect(unnamed.map((a) => a.body)).toEqual([]);
    // Both nodes won claims: the quota was contended across nodes, not decided on one.
    const winsPerProcess = (['A', 'B'] as const).map(
      (p) => answers.filter((a) => a.process === p && a.status === 201).length,
    );
    expect(winsPerProcess.every((n) => n > 0)).toBe(true);
    // The 201s are exactly the stored leases of the project, on the node no process wrote to.
    const [{ n: stored }] = await queryNode<{ n: number }>(
      fixture.cluster,
      3,
      fixture.db.name,
      'SELECT COUNT(*) AS n FROM leases WHERE project_id = ?',
      [P.other],
    );
    expect(Number(stored)).toBe(statuses.get(201));
    const checksums = await checksumsPerNode(fixture.cluster, fixture.db.name);
    expect(new Set(checksums).size).toBe(1);

    recordRow({
      scenario: `Galera quota race, all writers (node quota ${QUOTA_NODES})`,
      load: `2 bursts of ${CLAIMS} claims by one project on distinct nodes (one window, then scattered over 2 days), A on node 1, B on node 2, pool ${POOL_SIZE}, ${seconds.toFixed(1)} s`,
      faults: `Galera aborts retried: ${after.bfAborts - before.bfAborts} brute-force, ${after.certFailures - before.certFailures} certification`,
      result:
        `most nodes held at once: ${most} (first burst ${mostAfterFirst}); answers: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')} ` +
        `(wins A ${winsPerProcess[0]}, B ${winsPerProcess[1]}); every 403 names the quota; checksums equal`,
    });
  }, 300_000);
});

function countStatuses(answers: readonly Answer[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of answers) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return new Map([...counts].sort(([x], [y]) => x - y));
}

import { headersFor, Persona } from '../support/projects';
import { printSummary, recordRow } from '../reliability/support/summary';
import { EsiLeapProcess } from './support/esi-leap-processes';
import { checksumsPerNode, queryNode, retriedByGalera } from './support/galera-cluster';
import { GaleraFixture } from './support/galera-fixture';

/**
 * Lease groups under contention on Galera with every node taking writes: two API processes, A on
 * node 1 and B on node 2 (HAProxy "node N first"), each with a pool of 25, take 200 concurrent
 * `count=4` requests over 12 offered nodes and a few overlapping windows, far more than the pool
 * holds. A group's leases lock their resources' rows; on two nodes those locks are not shared, so
 * two groups wanting the same node meet at certification instead (errno 1213, retried). Every
 * answer must be a whole group of 4 leases (201) or a 409; afterwards, by SQL on node 3 (which
 * neither process writes to): no partial group, no lease outside a group, no two occupying leases
 * overlapping on a node, and no window refused while 4 of its nodes are still free.
 */
const REQUESTS = 200;
const GROUP = 4;
const NODES = 12;
const POOL_SIZE = 25;
const OCCUPYING_SQL = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error']
  .map((s) => `'${s}'`)
  .join(', ');
const WINDOWS = [
  ['2030-01-01T00:00:00', '2030-01-03T00:00:00'],
  ['2030-01-02T00:00:00', '2030-01-04T00:00:00'],
  ['2030-01-03T00:00:00', '2030-01-05T00:00:00'],
  ['2030-01-10T00:00:00', '2030-01-12T00:00:00'],
  ['2030-01-11T00:00:00', '2030-01-13T00:00:00'],
] as const;
const LESSEES: readonly Persona[] = ['lessee', 'otherLessee', 'childLessee'];

interface Answer {
  status: number;
  body: Record<string, any>;
  process: 'A' | 'B';
  window: number;
}

describe('lease groups raced on Galera, all nodes writing', () => {
  let fixture: GaleraFixture;
  let apis: EsiLeapProcess[];

  beforeAll(async () => {
    fixture = await GaleraFixture.create();
    const urls = fixture.cluster.nodeFirstUrls;
    // Every request locks 4 of the same 12 nodes: a queue of ~100 per process on a busy
    // machine. This test is about what gets booked, not how long a queue may be.
    const options = { database: { max_pool_size: POOL_SIZE, lock_wait_timeout: 120 } };
    apis = [
      await fixture.processes.start('api', fixture.writeConf('group-api-a', urls[0], options)),
      await fixture.processes.start('api', fixture.writeConf('group-api-b', urls[1], options)),
    ];
  }, 300_000);

  afterAll(async () => {
    await fixture?.close();
    printSummary();
  });

  async function send(i: number, method: string, url: string, persona: Persona, body: unknown) {
    const res = await fetch(`${apis[i % 2].url}${url}`, {
      method,
      headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any>, process: i % 2 ? 'B' : 'A' } as const;
  }

  /** Rows by SQL on node 3, which neither process writes to. */
  const onNode3 = <T>(sql: string, params: unknown[] = []) =>
    queryNode<T>(fixture.cluster, 3, fixture.db.name, sql, params);

  it(`${REQUESTS} concurrent count=${GROUP} requests over two nodes: whole groups or a real 409, no partial group, no overlap`, async () => {
    for (let i = 0; i < NODES; i++) {
      fixture.addNode(`ggroup-${i}`);
      const offer = await send(i, 'POST', '/v1/offers', 'owner', {
        resource_uuid: `ggroup-${i}`,
        start_time: '2030-01-01',
        end_time: '2030-02-01',
      });
      expect(offer.status).toBe(201);
    }

    const before = await retriedByGalera(fixture.cluster);
    const started = Date.now();
    const answers: Answer[] = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const window = i % WINDOWS.length;
        const [start_time, end_time] = WINDOWS[window];
        const res = await send(i, 'POST', '/v1/lease_groups', LESSEES[i % LESSEES.length], {
          count: GROUP,
          resource_class: 'baremetal',
          start_time,
          end_time,
        });
        return { ...res, window };
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const after = await retriedByGalera(fixture.cluster);

    const byStatus: Record<number, number> = {};
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    expect(Object.keys(byStatus).filter((s) => s !== '201' && s !== '409')).toEqual([]);
    const won = answers.filter((a) => a.status === 201);
    for (const a of won) {
      expect(a.body.count).toBe(GROUP);
      expect(a.body.leases).toHaveLength(GROUP);
      expect(new Set(a.body.leases.map((l: any) => l.resource_uuid)).size).toBe(GROUP);
    }
    const refused = answers.filter((a) => a.status === 409);
    // A 409 either says, with its facts, that fewer than 4 were free, or that every attempt lost its picks.
    const unexplained = refused.filter((a) =>
      a.body.capacity
        ? !(a.body.capacity.requested === GROUP && a.body.capacity.free < GROUP)
        : !String(a.body.faultstring).startsWith(`Could not book ${GROUP} leases: other bookings took`),
    );
    expect(unexplained.map((a) => a.body)).toEqual([]);
    expect(refused.every((a) => a.body.faultcode === 'Client')).toBe(true);

    const groups = await onNode3<{ uuid: string; count: number; members: number }>(
      `SELECT g.uuid, g.count, COUNT(m.lease_uuid) AS members FROM lease_groups g
         LEFT JOIN lease_group_members m ON m.group_uuid = g.uuid GROUP BY g.uuid, g.count`,
    );
    expect(new Set(groups.map((g) => g.uuid))).toEqual(new Set(won.map((a) => a.body.uuid)));
    const partial = groups.filter((g) => Number(g.count) !== GROUP || Number(g.members) !== GROUP);
    expect(partial).toEqual([]);
    const [{ n: outside }] = await onNode3<{ n: number }>(
      `SELECT COUNT(*) AS n FROM leases l LEFT JOIN lease_group_members m ON m.lease_uuid = l.uuid
        WHERE m.lease_uuid IS NULL`,
    );
    expect(Number(outside)).toBe(0);
    const [{ n: overlapping }] = await onNode3<{ n: number }>(
      `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
         AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
         AND x.start_time < y.end_time AND x.end_time > y.start_time
       WHERE x.status IN (${OCCUPYING_SQL}) AND y.status IN (${OCCUPYING_SQL})`,
    );
    expect(Number(overlapping)).toBe(0);
    const [{ n: leases }] = await onNode3<{ n: number }>('SELECT COUNT(*) AS n FROM leases');
    expect(Number(leases)).toBe(won.length * GROUP);

    // No spurious 409: nodes are only ever taken during the race, so a window that still has 4
    // free at the end had 4 free all along, and none of its requests should have been refused.
    const freeAtEnd = await Promise.all(
      WINDOWS.map(async ([start, end]) => {
        const [{ n }] = await onNode3<{ n: number }>(
          `SELECT COUNT(*) AS n FROM offers o WHERE o.resource_uuid LIKE 'ggroup-%' AND NOT EXISTS (
             SELECT 1 FROM leases l WHERE l.resource_uuid = o.resource_uuid AND l.status IN (${OCCUPYING_SQL})
                AND l.start_time < ? AND l.end_time > ?)`,
          [end.replace('T', ' '), start.replace('T', ' ')],
        );
        return Number(n);
      }),
    );
    const spurious = refused.filter((a) => freeAtEnd[a.window] >= GROUP);
    expect(spurious.map((a) => `${WINDOWS[a.window].join('..')}: ${a.body.faultstring}`)).toEqual([]);

    // Both nodes won groups: the nodes were contended across Galera nodes, not decided on one.
    const winsPerProcess = (['A', 'B'] as const).map((p) => won.filter((a) => a.process === p).length);
    expect(winsPerProcess.every((n) => n > 0)).toBe(true);
    const checksums = await checksumsPerNode(fixture.cluster, fixture.db.name);
    expect(new Set(checksums).size).toBe(1);

    const contended = refused.filter((a) => !a.body.capacity).length;
    recordRow({
      scenario: 'Galera group-lease race, all writers',
      load: `${REQUESTS} concurrent count=${GROUP} group requests over ${NODES} offered nodes and ${WINDOWS.length} overlapping windows, A on node 1, B on node 2, pool ${POOL_SIZE}, ${seconds.toFixed(1)} s`,
      faults: `Galera aborts retried: ${after.bfAborts - before.bfAborts} brute-force, ${after.certFailures - before.certFailures} certification`,
      result:
        `201: ${won.length} (A ${winsPerProcess[0]}, B ${winsPerProcess[1]}), each exactly ${GROUP} leases; ` +
        `409: ${refused.length} (${contended} after losing every attempt), other: 0; ` +
        `free at the end per window: ${freeAtEnd.join('/')}; 0 partial groups, 0 overlapping, 0 spurious 409; checksums equal`,
    });
  }, 300_000);
});

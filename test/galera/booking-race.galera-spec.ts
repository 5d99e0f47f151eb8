import { headersFor, P } from '../support/projects';
import { printSummary, recordRow } from '../reliability/support/summary';
import { EsiLeapProcess } from './support/esi-leap-processes';
import { checksumsPerNode, GaleraCluster, queryNode, retriedByGalera } from './support/galera-cluster';
import { GaleraFixture } from './support/galera-fixture';

/**
 * Conflicting bookings on a three-node Galera cluster with every node taking writes: two API
 * processes (`bin/esi-leap.js --role=api`) race 500 claims and direct leases on 10 resources.
 * Two layouts: each process on its own node (HAProxy "node N first"), and both processes
 * round-robin over the three nodes. A conflict between nodes surfaces as a certification
 * failure (errno 1213), which the service must retry: never a 500, and never a 409 unless an
 * overlapping lease really won.
 */
const REQUESTS = 500;
const OFFERS = 5;
const DIRECT_NODES = 5;
/** Five times the default pool: more transactions in flight at once, more collisions between nodes. */
const POOL_SIZE = 25;
const OCCUPYING = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error'];
const OCCUPYING_SQL = OCCUPYING.map((s) => `'${s}'`).join(', ');

interface Window {
  start_time: string;
  end_time: string;
}

/** Deterministic windows inside January 2030: dense conflicts, yet several bookings can win. */
function windowFor(i: number): Window {
  const startDay = 1 + ((i * 7) % 20);
  const length = 1 + ((i * 13) % 4);
  const day = (d: number) => `2030-01-${String(d).padStart(2, '0')}`;
  return { start_time: day(startDay), end_time: day(startDay + length) };
}

const overlaps = (a: Window, b: Window) => a.start_time < b.end_time && a.end_time > b.start_time;

interface Layout {
  name: string;
  /** The HAProxy listener each of the two processes connects through. */
  urls(cluster: GaleraCluster): [string, string];
  via: string;
}

const LAYOUTS: Layout[] = [
  {
    name: 'one node per process',
    urls: (c) => [c.nodeFirstUrls[0], c.nodeFirstUrls[1]],
    via: 'process A on node 1, B on node 2',
  },
  {
    name: 'round-robin',
    urls: (c) => [c.allWritersUrl, c.allWritersUrl],
    via: 'both processes round-robin over 3 nodes',
  },
];

describe('conflicting bookings on Galera, all nodes writing', () => {
  let fixture: GaleraFixture;

  beforeAll(async () => {
    fixture = await GaleraFixture.create();
  }, 300_000);

  afterAll(async () => {
    await fixture?.close();
    printSummary();
  });

  it('migrates through HAProxy, and every table has a primary key', async () => {
    expect(fixture.migration.output).toMatch(/-> OfferBusyIntervalIndex/);
    expect(await fixture.tablesWithoutPrimaryKey()).toEqual([]);
  });

  for (const [index, layout] of LAYOUTS.entries()) {
    it(`${layout.name}: ${REQUESTS} concurrent conflicting bookings, no overlap, every loser a real 409`, async () => {
      const prefix = `race${index}`;
      const apis: EsiLeapProcess[] = [];
      for (const [i, serverUrl] of layout.urls(fixture.cluster).entries()) {
        apis.push(
          await fixture.processes.start(
            'api',
            fixture.writeConf(`${prefix}-api-${i}`, serverUrl, { database: { max_pool_size: POOL_SIZE } }),
          ),
        );
      }
      for (let i = 0; i < OFFERS; i++) fixture.addNode(`${prefix}-offer-${i}`);
      for (let i = 0; i < DIRECT_NODES; i++) fixture.addNode(`${prefix}-direct-${i}`);

      async function send(
        replica: number,
        method: string,
        path: string,
        persona: 'owner' | 'lessee' | 'admin',
        body?: unknown,
      ) {
        const res = await fetch(`${apis[replica % 2].url}${path}`, {
          method,
          headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      }

      const offers: string[] = [];
      for (let i = 0; i < OFFERS; i++) {
        const offer = await send(i, 'POST', '/v1/offers', 'owner', {
          resource_uuid: `${prefix}-offer-${i}`,
          start_time: '2030-01-01',
          end_time: '2030-02-01',
        });
        expect(offer.status).toBe(201);
        offers.push(offer.body.uuid);
      }

      const before = await retriedByGalera(fixture.cluster);
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const window = windowFor(i);
          const kind = i % 2 === 0 ? 'claim' : 'direct';
          const target = Math.floor(i / 2) % (kind === 'claim' ? OFFERS : DIRECT_NODES);
          const replica = (i >> 1) % 2;
          const res =
            kind === 'claim'
              ? await send(replica, 'POST', `/v1/offers/${offers[target]}/claim`, 'lessee', window)
              : await send(replica, 'POST', '/v1/leases', 'owner', {
                  resource_uuid: `${prefix}-direct-${target}`,
                  project_id: P.lessee,
                  ...window,
                });
          // Read-your-write across nodes: the other process, on another node, must see the lease at once.
          const readBack =
            res.status === 201 ? (await send(replica + 1, 'GET', `/v1/leases/${res.body.uuid}`, 'admin')).status : null;
          const resource = kind === 'claim' ? `${prefix}-offer-${target}` : `${prefix}-direct-${target}`;
          return { ...res, kind, target, resource, window, replica, readBack };
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      const after = await retriedByGalera(fixture.cluster);
      const certFailures = after.certFailures - before.certFailures;
      const bfAborts = after.bfAborts - before.bfAborts;

      const byStatus: Record<number, number> = {};
      for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      expect(Object.keys(byStatus).sort()).toEqual(['201', '409']);
      for (const r of results.filter((x) => x.status === 409)) {
        expect(r.body.faultcode).toBe('Client');
        if (r.kind === 'claim') {
          expect(r.body.faultstring).toMatch(
            new RegExp(`^Offer ${offers[r.target]} has no availabilities at given time range `),
          );
        } else {
          expect(r.body.faultstring).toBe(`Time conflict for dummy_node ${prefix}-direct-${r.target}.`);
        }
      }
      const readBackFailures = results.filter((r) => r.readBack !== null && r.readBack !== 200);
      expect(readBackFailures.map((r) => `${r.body.uuid}: ${r.readBack}`)).toEqual([]);

      // Checked on node 3, which neither process of the first layout writes to.
      const db = fixture.db.name;
      const overlapping = await queryNode<{ n: number }>(
        fixture.cluster,
        3,
        db,
        `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
           AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
           AND x.start_time < y.end_time AND x.end_time > y.start_time
         WHERE x.status IN (${OCCUPYING_SQL}) AND y.status IN (${OCCUPYING_SQL}) AND x.resource_uuid LIKE ?`,
        [`${prefix}-%`],
      );
      expect(Number(overlapping[0].n)).toBe(0);
      const stored = await queryNode<{ uuid: string; resource_uuid: string; start_time: string; end_time: string }>(
        fixture.cluster,
        3,
        db,
        `SELECT l.uuid, COALESCE(o.resource_uuid, l.resource_uuid) AS resource_uuid,
                DATE_FORMAT(l.start_time, '%Y-%m-%d') AS start_time, DATE_FORMAT(l.end_time, '%Y-%m-%d') AS end_time
           FROM leases l LEFT JOIN offers o ON o.uuid = l.offer_uuid
          WHERE l.status IN (${OCCUPYING_SQL}) AND COALESCE(o.resource_uuid, l.resource_uuid) LIKE ?`,
        [`${prefix}-%`],
      );
      const won = results.filter((r) => r.status === 201).map((r) => r.body.uuid as string);
      expect(new Set(stored.map((r) => r.uuid))).toEqual(new Set(won));

      // No spurious 409: every loser's window overlaps a lease that won on the same resource
      // (all windows are whole days, so dates compare as strings).
      const spurious = results.filter(
        (r) => r.status === 409 && !stored.some((s) => s.resource_uuid === r.resource && overlaps(r.window, s)),
      );
      expect(spurious.map((r) => `${r.resource} ${r.window.start_time}..${r.window.end_time}`)).toEqual([]);

      const winsPerReplica = [0, 1].map((p) => results.filter((x) => x.replica === p && x.status === 201).length);
      expect(winsPerReplica.every((n) => n > 0)).toBe(true);

      const checksums = await checksumsPerNode(fixture.cluster, db);
      expect(new Set(checksums).size).toBe(1);
      await fixture.processes.stopAll();

      recordRow({
        scenario: `Galera all writers, ${layout.name}`,
        load: `${REQUESTS} concurrent claims + direct leases on ${OFFERS + DIRECT_NODES} resources, 2 API processes (${layout.via}, pool ${POOL_SIZE}), ${seconds.toFixed(1)} s`,
        faults: `overlapping windows; ${certFailures} certification failures + ${bfAborts} brute-force aborts retried`,
        result:
          `201: ${byStatus[201]} (A ${winsPerReplica[0]}, B ${winsPerReplica[1]}), 409: ${byStatus[409]}, other: 0; ` +
          `0 overlapping, 0 spurious 409, ${won.length}/${won.length} read back at once on the other node; checksums equal on 3 nodes`,
      });
    }, 300_000);
  }
});

import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { headersFor, P } from '../support/projects';
import { TestNodeDriver } from '../support/test-node.driver';
import { printSummary, recordRow } from './support/summary';

/**
 * Issue 11.1: two API replicas on one MariaDB database. The replicas are two in-process apps,
 * each with its own DataSource and connection pool (what two processes would have), each
 * listening on its own loopback port; booting real child processes would add a build and
 * several seconds per process without exercising anything more of the locking, which lives in
 * the database. 500 concurrent conflicting claims and direct leases on 10 resources (5 offers,
 * 5 nodes leased directly), sent alternately to both replicas.
 */
const REQUESTS = 500;
const OFFERS = 5;
const DIRECT_NODES = 5;
const OCCUPYING = ['created', 'active', 'wait fulfill', 'wait expire', 'wait cancel', 'error'];

/** Deterministic pseudo-random windows inside January 2030, so conflicts are dense but several bookings can win. */
function windowFor(i: number): { start_time: string; end_time: string } {
  const startDay = 1 + ((i * 7) % 20);
  const length = 1 + ((i * 13) % 4);
  const day = (d: number) => `2030-01-${String(d).padStart(2, '0')}`;
  return { start_time: day(startDay), end_time: day(startDay + length) };
}

const kinds = testDatabaseKinds().filter((k) => k === 'mariadb');
(kinds.length ? describe : describe.skip)('two API replicas on one MariaDB database', () => {
  let a: TestApp;
  let b: TestApp;
  let urls: string[];
  const nodes = new TestNodeDriver();

  beforeAll(async () => {
    a = await createTestApp({ kind: 'mariadb', nodes });
    b = await createTestApp({ kind: 'mariadb', nodes, connection: a.connection });
    urls = [await a.url(), await b.url()];
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    printSummary();
  });

  async function post(replica: number, path: string, persona: 'owner' | 'lessee', body: unknown) {
    const res = await fetch(`${urls[replica % 2]}${path}`, {
      method: 'POST',
      headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  it(`${REQUESTS} concurrent conflicting bookings: no overlap in the database, every loser a 409`, async () => {
    const offers: string[] = [];
    for (let i = 0; i < OFFERS; i++) {
      nodes.add(`replica-offer-${i}`, { owner: P.owner });
      const offer = await post(i, '/v1/offers', 'owner', {
        resource_uuid: `replica-offer-${i}`,
        start_time: '2030-01-01',
        end_time: '2030-02-01',
      });
      expect(offer.status).toBe(201);
      offers.push(offer.body.uuid);
    }
    for (let i = 0; i < DIRECT_NODES; i++) nodes.add(`replica-direct-${i}`, { owner: P.owner });

    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => {
        const window = windowFor(i);
        const kind = i % 2 === 0 ? 'claim' : 'direct';
        const target = Math.floor(i / 2) % (kind === 'claim' ? OFFERS : DIRECT_NODES);
        const sent =
          kind === 'claim'
            ? post(i >> 1, `/v1/offers/${offers[target]}/claim`, 'lessee', window)
            : post(i >> 1, '/v1/leases', 'owner', {
                resource_uuid: `replica-direct-${target}`,
                project_id: P.lessee,
                ...window,
              });
        return sent.then((res) => ({ ...res, kind, target, window, replica: (i >> 1) % 2 }));
      }),
    );
    const seconds = (Date.now() - started) / 1000;

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
        expect(r.body.faultstring).toBe(`Time conflict for test_node replica-direct-${r.target}.`);
      }
    }

    const occupying = OCCUPYING.map((s) => `'${s}'`).join(', ');
    const overlapping = await a.dataSource.query(
      `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
         AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
         AND x.start_time < y.end_time AND x.end_time > y.start_time
       WHERE x.status IN (${occupying}) AND y.status IN (${occupying})`,
    );
    expect(Number(overlapping[0].n)).toBe(0);
    const stored = await a.dataSource.query(`SELECT uuid FROM leases WHERE status IN (${occupying})`);
    const won = results.filter((r) => r.status === 201).map((r) => r.body.uuid as string);
    expect(new Set(stored.map((r: { uuid: string }) => r.uuid))).toEqual(new Set(won));
    const perResource = await a.dataSource.query(
      `SELECT resource_uuid, COUNT(*) AS n FROM leases GROUP BY resource_uuid`,
    );
    expect(perResource).toHaveLength(OFFERS + DIRECT_NODES);

    // Both replicas answered, and both won bookings: the race really spanned the two pools.
    const winsPerReplica = [0, 1].map((r) => results.filter((x) => x.replica === r && x.status === 201).length);
    expect(results.filter((x) => x.replica === 0)).toHaveLength(REQUESTS / 2);
    expect(winsPerReplica.every((n) => n > 0)).toBe(true);

    recordRow({
      scenario: 'concurrency across 2 API replicas (MariaDB)',
      load: `${REQUESTS} concurrent claims + direct leases on ${OFFERS + DIRECT_NODES} resources, 2 in-process apps / 2 pools, ${seconds.toFixed(1)} s`,
      faults: 'overlapping windows, racing replicas',
      result: `201: ${byStatus[201]} (replica A ${winsPerReplica[0]}, B ${winsPerReplica[1]}), 409: ${byStatus[409]}, other: 0; overlapping occupying leases in DB: 0`,
    });
  });
});

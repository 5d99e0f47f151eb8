import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { freePort, waitForHttp } from '../support/child-http';
import { writeLocalConf } from '../support/local-conf';
import { headersFor, P, PROJECT_ENTRIES } from '../support/projects';
import { snapshotPackage } from './support/package-snapshot';
import { printSummary, recordRow } from './support/summary';

/**
 * Issue 11.1: two API processes (`bin/esi-leap.js --role=api`, each its own connection pool)
 * on one MariaDB database, with dummy nodes in a shared directory. 500 concurrent conflicting
 * claims and direct leases on 10 resources (5 offers, 5 nodes leased directly), sent
 * alternately to both processes.
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
(kinds.length ? describe : describe.skip)('two API processes on one MariaDB database', () => {
  let db: TestDatabase;
  let dir: string;
  let urls: string[];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-replicas-'));
    const nodeDir = path.join(dir, 'nodes');
    mkdirSync(nodeDir);
    const owned = JSON.stringify({ project_owner_id: P.owner, resource_class: 'baremetal' });
    for (let i = 0; i < OFFERS; i++) writeFileSync(path.join(nodeDir, `replica-offer-${i}`), owned);
    for (let i = 0; i < DIRECT_NODES; i++) writeFileSync(path.join(nodeDir, `replica-direct-${i}`), owned);
    const conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir },
      {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
      },
    );
    const pkg = snapshotPackage(path.join(dir, 'package'));
    urls = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const output: string[] = [];
      const child = spawn(process.execPath, [path.join(pkg, 'bin', 'esi-leap.js'), '--role=api', '--config-file', conf], {
        cwd: dir,
        env: { ...process.env, HOME: dir, ESI_LEAP__API__PORT: String(port) },
      });
      child.stdout!.on('data', (d) => output.push(String(d)));
      child.stderr!.on('data', (d) => output.push(String(d)));
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
      await waitForHttp(`${urls[i]}/`, child, () => output.join(''), 60_000);
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
      const offer = await post(i, '/v1/offers', 'owner', {
        resource_uuid: `replica-offer-${i}`,
        start_time: '2030-01-01',
        end_time: '2030-02-01',
      });
      expect(offer.status).toBe(201);
      offers.push(offer.body.uuid);
    }

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
        expect(r.body.faultstring).toBe(`Time conflict for dummy_node replica-direct-${r.target}.`);
      }
    }

    const occupying = OCCUPYING.map((s) => `'${s}'`).join(', ');
    const overlapping = await db.dataSource.query(
      `SELECT COUNT(*) AS n FROM leases x JOIN leases y ON x.id < y.id
         AND x.resource_type = y.resource_type AND x.resource_uuid = y.resource_uuid
         AND x.start_time < y.end_time AND x.end_time > y.start_time
       WHERE x.status IN (${occupying}) AND y.status IN (${occupying})`,
    );
    expect(Number(overlapping[0].n)).toBe(0);
    const stored = await db.dataSource.query(`SELECT uuid FROM leases WHERE status IN (${occupying})`);
    const won = results.filter((r) => r.status === 201).map((r) => r.body.uuid as string);
    expect(new Set(stored.map((r: { uuid: string }) => r.uuid))).toEqual(new Set(won));
    const perResource = await db.dataSource.query(
      `SELECT resource_uuid, COUNT(*) AS n FROM leases GROUP BY resource_uuid`,
    );
    expect(perResource).toHaveLength(OFFERS + DIRECT_NODES);

    // Both processes answered, and both won bookings: the race really spanned the two processes.
    const winsPerReplica = [0, 1].map((r) => results.filter((x) => x.replica === r && x.status === 201).length);
    expect(results.filter((x) => x.replica === 0)).toHaveLength(REQUESTS / 2);
    expect(winsPerReplica.every((n) => n > 0)).toBe(true);

    recordRow({
      scenario: 'concurrency across 2 API processes (MariaDB)',
      load: `${REQUESTS} concurrent claims + direct leases on ${OFFERS + DIRECT_NODES} resources, 2 esi-leap --role=api processes, ${seconds.toFixed(1)} s`,
      faults: 'overlapping windows, racing replicas',
      result: `201: ${byStatus[201]} (process A ${winsPerReplica[0]}, B ${winsPerReplica[1]}), 409: ${byStatus[409]}, other: 0; overlapping occupying leases in DB: 0`,
    });
  });
});

import { Logger } from '@nestjs/common';
import { createConnection } from 'mysql2/promise';
import { createDataSource } from '../../src/db/create-data-source';
import { SchemaMigrator } from '../../src/db/schema-migrator';
import { testDatabaseKinds } from '../helpers/test-databases';
import { freePort } from '../support/child-http';
import { createTestApp, TestApp } from '../support/test-app';
import { headersFor, P } from '../support/projects';
import { Probe, routeProbes } from './support/route-probes';
import { printSummary, recordRow } from './support/summary';
import { ThrowawayMariadb } from './support/throwaway-mariadb';

/**
 * The database disappears under load. A private mariadbd (own datadir and port,
 * started and SIGKILLed by this test; the shared server is never touched) serves one API app
 * while WORKERS clients read and book in a loop. While it is down every request must fail
 * fast with a 503 in the esi-leap error format (no hang, no 500, no internals); once it is
 * back the same app serves again without a restart.
 */
const WORKERS = 6;
const HEALTHY_MS = 1_500;
const OUTAGE_MS = 3_000;
const RECOVERY_LIMIT_MS = 20_000;
const STEADY_MS = 1_500;
const REQUEST_TIMEOUT_MS = 10_000;
const FAIL_FAST_MS = 2_000;

type Phase = 'healthy' | 'down' | 'restarting' | 'recovered';

interface Sample {
  phase: Phase;
  status: number | 'timeout' | 'network';
  ms: number;
  body: string;
  at: number;
}

const kinds = testDatabaseKinds().filter((k) => k === 'mariadb');
(kinds.length ? describe : describe.skip)('database outage (throw-away MariaDB)', () => {
  let server: ThrowawayMariadb;
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    server = await ThrowawayMariadb.create();
    await server.start();
    await server.query('CREATE DATABASE esi_leap_outage');
    const connection = server.url('esi_leap_outage');
    const ds = await createDataSource(connection).initialize();
    await new SchemaMigrator(ds).upgrade('head');
    await ds.destroy();
    t = await createTestApp({ kind: 'mariadb', connection });
    // Every 503 is logged as an error; thousands of those lines would only bury the result.
    Logger.overrideLogger(['fatal']);
    base = await t.url();
    for (let w = 0; w < WORKERS; w++) t.nodes.add(`outage-node-${w}`, { owner: P.owner });
  }, 120_000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await server?.destroy();
    printSummary();
  });

  it('fails fast with 503 while the database is down and recovers by itself', async () => {
    let phase: Phase = 'healthy';
    let stop = false;
    const samples: Sample[] = [];
    const counters = Array.from({ length: WORKERS }, () => 0);

    async function one(worker: number): Promise<void> {
      const n = counters[worker]++;
      const op = n % 3;
      const day = new Date(Date.UTC(2031, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
      const dayAfter = new Date(Date.UTC(2031, 0, 2) + n * 86_400_000).toISOString().slice(0, 10);
      const request =
        op === 0
          ? fetch(`${base}/v1/leases?view=all`, {
              headers: headersFor('admin'),
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            })
          : op === 1
            ? fetch(`${base}/v1/offers`, {
                headers: headersFor('owner'),
                signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
              })
            : fetch(`${base}/v1/leases`, {
                method: 'POST',
                headers: { ...headersFor('owner'), 'Content-Type': 'application/json' },
                body: JSON.stringify({
                  resource_uuid: `outage-node-${worker}`,
                  project_id: P.lessee,
                  start_time: day,
                  end_time: dayAfter,
                }),
                signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
              });
      const sentIn = phase;
      const started = Date.now();
      try {
        const res = await request;
        samples.push({
          phase: sentIn,
          status: res.status,
          ms: Date.now() - started,
          body: await res.text(),
          at: Date.now(),
        });
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError';
        samples.push({
          phase: sentIn,
          status: timeout ? 'timeout' : 'network',
          ms: Date.now() - started,
          body: String(err),
          at: Date.now(),
        });
      }
    }

    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      while (!stop) await one(w);
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    let killedAt = 0;
    let upAt = 0;
    let recoveredAt: number | null = null;
    let steadyFrom = 0;
    // Whatever fails, the clients stop: the loops are bounded by this `finally`.
    try {
      await sleep(HEALTHY_MS);
      phase = 'down';
      killedAt = Date.now();
      await server.kill();
      await sleep(OUTAGE_MS);
      phase = 'restarting';
      await server.start();
      upAt = Date.now();
      while (recoveredAt === null && Date.now() - upAt < RECOVERY_LIMIT_MS) {
        await sleep(100);
        const ok = samples.find((s) => s.at >= upAt && typeof s.status === 'number' && s.status < 300);
        if (ok) recoveredAt = ok.at;
      }
      phase = 'recovered';
      steadyFrom = Date.now();
      await sleep(STEADY_MS);
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    const of = (p: Phase) => samples.filter((s) => s.phase === p);
    const statuses = (list: Sample[]) =>
      list.reduce<Record<string, number>>(
        (acc, s) => ({ ...acc, [String(s.status)]: (acc[String(s.status)] ?? 0) + 1 }),
        {},
      );

    // Healthy: everything answered before the kill was served (requests in flight at the kill may be 503).
    const healthy = of('healthy').filter((s) => s.at < killedAt);
    expect(healthy.length).toBeGreaterThan(10);
    expect(healthy.filter((s) => !(typeof s.status === 'number' && s.status < 300))).toEqual([]);
    expect(
      of('healthy').filter(
        (s) => s.at >= killedAt && s.status !== 503 && !(typeof s.status === 'number' && s.status < 300),
      ),
    ).toEqual([]);
    // Down: sent after the kill → 503 only (a request that finished before the kill may be 2xx).
    const down = of('down').filter((s) => s.at > killedAt + 50);
    expect(down.length).toBeGreaterThan(10);
    const bad = down.filter(
      (s) => s.status !== 503 && !(typeof s.status === 'number' && s.status < 300 && s.at - s.ms < killedAt),
    );
    expect(bad.map((s) => `${s.status}: ${s.body.slice(0, 200)}`)).toEqual([]);
    for (const s of down.filter((x) => x.status === 503)) {
      expect(JSON.parse(s.body)).toEqual({
        faultcode: 'Server',
        faultstring: 'Database is unavailable.',
        debuginfo: null,
      });
    }
    const downLatencies = down
      .filter((s) => s.status === 503)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const p99 = downLatencies[Math.floor(downLatencies.length * 0.99)] ?? 0;
    const max = downLatencies[downLatencies.length - 1] ?? 0;
    expect(max).toBeLessThan(FAIL_FAST_MS);
    // Restarting: nothing but 503 or success, never a 500 or a hang.
    expect(
      of('restarting').filter((s) => s.status !== 503 && !(typeof s.status === 'number' && s.status < 300)),
    ).toEqual([]);
    // Back: served again by the same app, without a restart.
    expect(recoveredAt).not.toBeNull();
    const steady = samples.filter((s) => s.at - s.ms >= steadyFrom);
    expect(steady.length).toBeGreaterThan(10);
    expect(
      steady
        .filter((s) => !(typeof s.status === 'number' && s.status < 300))
        .map((s) => `${s.status}: ${s.body.slice(0, 200)}`),
    ).toEqual([]);

    recordRow({
      scenario: 'database outage (throw-away MariaDB)',
      load: `${WORKERS} clients looping reads + bookings, ${samples.length} requests`,
      faults: `mariadbd SIGKILLed for ${OUTAGE_MS / 1000} s, then restarted (start took ${((upAt - killedAt - OUTAGE_MS) / 1000).toFixed(1)} s)`,
      result: `while down ${down.length} requests: ${JSON.stringify(statuses(down))}, 503 p99 ${p99} ms / max ${max} ms; recovered ${((recoveredAt! - upAt) / 1000).toFixed(1)} s after the DB came back; afterwards ${steady.length}/${steady.length} 2xx`,
    });
  }, 90_000);
});

/**
 * The database is up but refuses this service: the app's login is refused (password changed),
 * its grants are revoked, its database is gone, the node is read-only, or it is a Galera node
 * that is not ready (error 1047). Every route must answer a 503 naming the database at once
 * (reads stay 200 on a read-only node), never a 500, and serve again by itself once the cause
 * is removed. A private Galera-enabled mariadbd (one-node cluster on free loopback ports); the
 * app logs in as its own user, and the test, as root, changes that user and kills its
 * connections so that the pool must log in again.
 */
const REFUSAL_DB = 'esi_leap_refusal';
const APP_USER = 'esi_app';
const UNAVAILABLE = { faultcode: 'Server', faultstring: 'Database is unavailable.', debuginfo: null };

(kinds.length ? describe : describe.skip)('database refusing the service (throw-away Galera node)', () => {
  let server: ThrowawayMariadb;
  let t: TestApp;
  let probes: Probe[];

  async function asRoot<T = unknown>(sql: string): Promise<T> {
    const c = await createConnection({ host: '127.0.0.1', port: server.port, user: 'root', connectTimeout: 5000 });
    try {
      return (await c.query(sql))[0] as T;
    } finally {
      await c.end();
    }
  }

  async function migrate(): Promise<void> {
    const ds = await createDataSource(server.url(REFUSAL_DB)).initialize();
    await new SchemaMigrator(ds).upgrade('head');
    await ds.destroy();
  }

  /** Cuts the app's pooled connections, so that the next request logs in again. */
  async function killAppConnections(): Promise<void> {
    const ids = await asRoot<Array<{ ID: number }>>(`SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '${APP_USER}'`);
    for (const { ID } of ids) await asRoot(`KILL ${ID}`).catch(() => undefined);
  }

  /** Every probe once: the ones whose answer is not what `expected` says, and the slowest answer. */
  async function sweep(expected: (probe: Probe) => 'ok' | 'unavailable') {
    const wrong: string[] = [];
    let slowest = 0;
    for (const probe of probes) {
      const started = Date.now();
      const res = await probe.send();
      slowest = Math.max(slowest, Date.now() - started);
      const ok = res.status >= 200 && res.status < 300;
      const want = expected(probe);
      if (want === 'ok' ? !ok : res.status !== 503 || JSON.stringify(res.body) !== JSON.stringify(UNAVAILABLE)) {
        wrong.push(`${probe.name}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    return { wrong, slowest };
  }

  /** Polls a read until it succeeds: the time it took the app to serve again. */
  async function recoveryMs(from: number): Promise<number> {
    for (;;) {
      if ((await t.as('owner').get('/v1/leases')).status === 200) return Date.now() - from;
      if (Date.now() - from > RECOVERY_LIMIT_MS) throw new Error(`not recovered within ${RECOVERY_LIMIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    const [group, ist] = [await freePort(), await freePort()];
    server = await ThrowawayMariadb.create([
      '--wsrep-on=ON',
      `--wsrep-provider=${process.env.ESI_LEAP_TEST_GALERA_PROVIDER ?? '/usr/lib/galera/libgalera_smm.so'}`,
      '--wsrep-cluster-address=gcomm://',
      '--wsrep-node-address=127.0.0.1',
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${group};ist.recv_addr=127.0.0.1:${ist}`,
      '--binlog-format=ROW',
      '--innodb-autoinc-lock-mode=2',
    ]);
    await server.start();
    await asRoot(`CREATE DATABASE ${REFUSAL_DB}`);
    await asRoot(`CREATE USER '${APP_USER}'@'%' IDENTIFIED BY 'right'`);
    await asRoot(`GRANT ALL ON ${REFUSAL_DB}.* TO '${APP_USER}'@'%'`);
    await migrate();
    const connection = `mysql+pymysql://${APP_USER}:right@127.0.0.1:${server.port}/${REFUSAL_DB}`;
    t = await createTestApp({ kind: 'mariadb', connection });
    Logger.overrideLogger(['fatal']);
    probes = await routeProbes(t);
  }, 120_000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await server?.destroy();
    printSummary();
  });

  const scenarios: Array<{
    name: string;
    cause: string[];
    cure: string[];
    reads: 'ok' | 'unavailable';
  }> = [
    {
      name: 'login refused (password changed)',
      cause: [`ALTER USER '${APP_USER}'@'%' IDENTIFIED BY 'changed'`],
      cure: [`ALTER USER '${APP_USER}'@'%' IDENTIFIED BY 'right'`],
      reads: 'unavailable',
    },
    {
      name: 'grants revoked',
      cause: [`REVOKE ALL PRIVILEGES ON ${REFUSAL_DB}.* FROM '${APP_USER}'@'%'`],
      cure: [`GRANT ALL ON ${REFUSAL_DB}.* TO '${APP_USER}'@'%'`],
      reads: 'unavailable',
    },
    {
      name: 'read-only node',
      cause: ['SET GLOBAL read_only = 1'],
      cure: ['SET GLOBAL read_only = 0'],
      reads: 'ok',
    },
    {
      name: 'Galera node not ready (1047)',
      cause: ['SET GLOBAL wsrep_reject_queries = ALL'],
      cure: ['SET GLOBAL wsrep_reject_queries = NONE'],
      reads: 'unavailable',
    },
  ];

  it.each(scenarios)('$name: 503 on every route that needs it, then serves again by itself', async ({ name, cause, cure, reads }) => {
    expect((await sweep(() => 'ok')).wrong).toEqual([]);
    for (const sql of cause) await asRoot(sql);
    await killAppConnections();
    const refused = await sweep((probe) => (probe.write ? 'unavailable' : reads));
    // The health check reads a table as the routes do: it fails exactly when reads fail.
    const health = (await t.http().get('/healthcheck?check=database')).status;
    expect(health).toBe(reads === 'ok' ? 200 : 503);
    const curedAt = Date.now();
    for (const sql of cure) await asRoot(sql);
    const recovered = await recoveryMs(curedAt);
    expect(refused.wrong).toEqual([]);
    expect(refused.slowest).toBeLessThan(FAIL_FAST_MS);
    expect((await sweep(() => 'ok')).wrong).toEqual([]);
    recordRow({
      scenario: `database refuses: ${name}`,
      load: `${probes.length} routes, one request each`,
      faults: cause.join('; '),
      result: `${reads === 'ok' ? 'reads 200, writes' : 'all'} 503 "Database is unavailable." (slowest ${refused.slowest} ms), /healthcheck ${health}; served again ${recovered} ms after the cure`,
    });
  });

  it('unknown database (dropped): 503 on every route, then serves again once it is re-created', async () => {
    await asRoot(`DROP DATABASE ${REFUSAL_DB}`);
    await killAppConnections();
    const refused = await sweep(() => 'unavailable');
    const curedAt = Date.now();
    await asRoot(`CREATE DATABASE ${REFUSAL_DB}`);
    await migrate();
    const recovered = await recoveryMs(curedAt);
    expect(refused.wrong).toEqual([]);
    expect(refused.slowest).toBeLessThan(FAIL_FAST_MS);
    expect((await t.as('owner').get('/v1/offers')).status).toBe(200);
    t.nodes.add('refusal-after', { owner: P.owner });
    expect((await t.as('owner').post('/v1/offers').send({ resource_uuid: 'refusal-after' })).status).toBe(201);
    recordRow({
      scenario: 'database refuses: unknown database',
      load: `${probes.length} routes, one request each`,
      faults: `DROP DATABASE, then CREATE DATABASE + migrations`,
      result: `all 503 "Database is unavailable." (slowest ${refused.slowest} ms); served again ${recovered} ms after it was re-created`,
    });
  });
});

import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppModule } from '../src/app/app.module';
import { rolesOf } from '../src/app/roles';
import { LeaseStatus } from '../src/leasing/data/statuses';
import { addSeconds, fromDate, fromDb, toEpochMicros, UtcTime } from '../src/common/time';
import { loadConfig } from '../src/config/config-loader';
import { EsiLeapConfig } from '../src/config/esi-leap-config';
import { LeaseEntity } from '../src/leasing/data/lease.entity';
import { NewLease } from '../src/leasing/data/leases.repository';
import { ManagerJobs } from '../src/manager/manager-jobs';
import { ManagerScheduler } from '../src/manager/manager.scheduler';
import { DummyNodeDriver } from '../src/drivers/dummy-node.driver';
import { insertRows } from '../test/helpers/insert-rows';
import { createTestDatabase, TestDatabase, TestDatabaseKind } from '../test/helpers/test-databases';
import { writeLocalConf } from '../test/support/local-conf';
import { LESSEES, OWNERS, writeIdleNode } from './fleet-generator';

export interface FulfilResult {
  readonly leases: number;
  /** Whether each node had been leased once before (the driver's steady state). */
  readonly nodesLeasedBefore: boolean;
  readonly seconds: number;
  readonly fulfilled: number;
}

export interface ExpireResult {
  readonly leases: number;
  readonly seconds: number;
  readonly expired: number;
}

export interface LatencyResult {
  readonly leases: number;
  readonly windowSeconds: number;
  readonly fulfilled: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

interface ManagerSetup {
  db: TestDatabase;
  dir: string;
  nodeDir: string;
}

/**
 * A fresh database and node directory with one idle dummy node per due lease. With
 * `leasedBefore`, every node goes through one set/remove lease cycle of the real driver first
 * (untimed), as a node in service has: the dummy driver's first write to a node creates a
 * file, which costs about a millisecond on this disk, and later writes do not.
 */
export async function prepare(
  kind: TestDatabaseKind,
  count: number,
  startOf: (i: number) => UtcTime,
  leasedBefore = false,
): Promise<ManagerSetup> {
  const db = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-bench-manager-'));
  const nodeDir = path.join(dir, 'nodes');
  mkdirSync(nodeDir);
  const rows: NewLease[] = [];
  for (let i = 0; i < count; i++) {
    const node = randomUUID();
    const owner = OWNERS[i % OWNERS.length];
    writeIdleNode(nodeDir, node, owner);
    const start = startOf(i);
    rows.push({
      uuid: randomUUID(),
      name: null,
      projectId: LESSEES[i % LESSEES.length],
      ownerId: owner,
      purpose: null,
      resourceType: 'dummy_node',
      resourceUuid: node,
      startTime: start,
      endTime: addSeconds(start, 3600),
      fulfillTime: null,
      expireTime: null,
      status: LeaseStatus.CREATED,
      properties: {},
      offerUuid: null,
      parentLeaseUuid: null,
      createdAt: addSeconds(start, -60),
    });
  }
  await insertRows(db.dataSource, LeaseEntity, rows);
  if (leasedBefore) {
    const driver = new DummyNodeDriver({ dummy_node: { dummy_node_dir: nodeDir } } as EsiLeapConfig);
    const earlier = { uuid: randomUUID(), projectId: LESSEES[0] };
    for (const lease of rows) {
      await driver.setLease(lease.resourceUuid, earlier);
      await driver.removeLease(lease.resourceUuid, earlier);
    }
  }
  return { db, dir, nodeDir };
}

/**
 * The manager in-process on that database, with the modules of `--role=manager`; `scheduled`
 * keeps the real scheduler and clock.
 */
export async function bootManager(setup: ManagerSetup, scheduled: boolean): Promise<INestApplicationContext> {
  const conf = path.join(setup.dir, 'esi-leap.conf');
  writeLocalConf(
    conf,
    { connection: setup.db.connection, nodeDir: setup.nodeDir },
    {
      DEFAULT: { host: 'bench-manager', log_level: 'warning' },
      api: { default_resource_type: 'dummy_node' },
      // The lease jobs alone: the node health reconcile would read every node file at boot.
      node_health: { reconcile_interval: 0 },
    },
  );
  const loaded = loadConfig({ configFiles: [conf], env: {} });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(loaded, rolesOf('manager'))] });
  if (!scheduled) builder = builder.overrideProvider(ManagerScheduler).useValue({});
  const moduleRef = await builder.compile();
  moduleRef.useLogger(['error']);
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return app;
}

export async function cleanUp(setup: ManagerSetup, app: INestApplicationContext | null): Promise<void> {
  await app?.close();
  await setup.db.drop();
  rmSync(setup.dir, { recursive: true, force: true });
}

async function countActive(setup: ManagerSetup): Promise<number> {
  const [row] = await setup.db.dataSource.query('SELECT COUNT(*) AS n FROM leases WHERE status = ?', [LeaseStatus.ACTIVE]);
  return Number((row as { n: unknown }).n);
}

/** `count` leases all due now; one call of `ManagerJobs.fulfillDueLeases()`, timed. */
export async function benchFulfilAllDue(kind: TestDatabaseKind, count: number, nodesLeasedBefore: boolean): Promise<FulfilResult> {
  const now = fromDate(new Date());
  const setup = await prepare(kind, count, () => addSeconds(now, -60), nodesLeasedBefore);
  let app: INestApplicationContext | null = null;
  try {
    app = await bootManager(setup, false);
    const started = process.hrtime.bigint();
    await app.get(ManagerJobs).fulfillDueLeases();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { leases: count, nodesLeasedBefore, seconds, fulfilled: await countActive(setup) };
  } finally {
    await cleanUp(setup, app);
  }
}

/**
 * `count` active leases (fulfilled untimed, on nodes leased before) whose end has passed; one
 * call of `ManagerJobs.expireEndedLeases()`, timed.
 */
export async function benchExpireAllEnded(kind: TestDatabaseKind, count: number): Promise<ExpireResult> {
  const now = fromDate(new Date());
  const setup = await prepare(kind, count, () => addSeconds(now, -60), true);
  let app: INestApplicationContext | null = null;
  try {
    app = await bootManager(setup, false);
    await app.get(ManagerJobs).fulfillDueLeases();
    await setup.db.dataSource.query('UPDATE leases SET end_time = ?', [addSeconds(now, -1)]);
    const started = process.hrtime.bigint();
    await app.get(ManagerJobs).expireEndedLeases();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [row] = await setup.db.dataSource.query('SELECT COUNT(*) AS n FROM leases WHERE status = ?', [LeaseStatus.EXPIRED]);
    return { leases: count, seconds, expired: Number((row as { n: unknown }).n) };
  } finally {
    await cleanUp(setup, app);
  }
}

/**
 * `count` leases starting evenly over `windowSeconds` (from 5 s after boot), the real scheduler
 * and clock; the latency of each is `fulfill_time - start_time` as the manager recorded it.
 */
export async function benchFulfilLatency(kind: TestDatabaseKind, count: number, windowSeconds: number): Promise<LatencyResult> {
  const t0 = addSeconds(fromDate(new Date()), 5);
  const setup = await prepare(kind, count, (i) => addSeconds(t0, (i * windowSeconds) / count));
  let app: INestApplicationContext | null = null;
  try {
    app = await bootManager(setup, true);
    const deadline = Date.now() + (windowSeconds + 60) * 1000;
    while (Date.now() < deadline && (await countActive(setup)) < count) await new Promise((r) => setTimeout(r, 500));
    const rows = (await setup.db.dataSource.query('SELECT start_time, fulfill_time FROM leases WHERE fulfill_time IS NOT NULL')) as {
      start_time: unknown;
      fulfill_time: unknown;
    }[];
    const latencies = rows
      .map((r) => Number(toEpochMicros(fromDb(r.fulfill_time)!) - toEpochMicros(fromDb(r.start_time)!)) / 1000)
      .sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return {
      leases: count,
      windowSeconds,
      fulfilled: latencies.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: latencies[latencies.length - 1] ?? NaN,
    };
  } finally {
    await cleanUp(setup, app);
  }
}

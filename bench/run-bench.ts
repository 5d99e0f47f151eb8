/**
 * `npm run bench` (small suite, a few minutes) and `npm run bench -- --large`: generates a fleet,
 * starts the service as a child process on it, loads it with autocannon next to a bare
 * Express + driver ceiling, times the manager, and prints one table. Figures only, never
 * assertions: the targets live in docs/performance.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { limitHeapGrowth } from '../src/common/garbage-collection';
import { addDays, addSeconds, fromDate, toIso } from '../src/common/time';
import { createTestDatabase, TestDatabaseKind } from '../test/helpers/test-databases';
import { BENCH_ADMIN, FleetSize, generateFleet, LARGE, LESSEES, OWNERS, PROJECT_ENTRIES, SMALL } from './fleet-generator';
import { spawnCeiling } from './framework-ceiling';
import { LoadResult, LoadSpec, runLoad } from './http-load';
import { benchExpireAllEnded, benchFulfilAllDue, benchFulfilLatency } from './manager-bench';
import { freePort } from '../test/support/child-http';
import { writeLocalConf } from '../test/support/local-conf';
import { buildService, startService } from './service-process';

const ADMIN = { 'X-Project-Id': BENCH_ADMIN, 'X-Roles': 'admin', 'X-User-Id': 'bench-admin' };
const LESSEE = { 'X-Project-Id': LESSEES[0], 'X-Roles': 'lessee', 'X-User-Id': 'bench-lessee' };

interface Row {
  suite: string;
  scenario: string;
  figures: string;
}

const rows: Row[] = [];
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function loadRow(suite: string, r: LoadResult, extra = ''): void {
  const expected = r.expected > 0 ? `, ${r.expected} expected 409` : '';
  rows.push({
    suite,
    scenario: r.name,
    figures: `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.requests} req, ${r.ok} 2xx${expected}, ${r.errors} errors${extra}`,
  });
  log(`${suite} ${r.name}: ${rows[rows.length - 1].figures}`);
}

function record(suite: string, scenario: string, figures: string): void {
  rows.push({ suite, scenario, figures });
  log(`${suite} ${scenario}: ${figures}`);
}

async function httpSuite(entry: string, kind: TestDatabaseKind, size: FleetSize, seconds: number, large: boolean): Promise<void> {
  const suite = `http ${kind} ${size.nodes} nodes/${size.leases} leases`;
  const db = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-bench-'));
  const nodeDir = path.join(dir, 'nodes');
  try {
    let started = Date.now();
    const fleet = await generateFleet(db.dataSource, nodeDir, size);
    record(suite, 'generate fleet', `${((Date.now() - started) / 1000).toFixed(1)} s: ${fleet.counts.offers} offers, ${fleet.counts.leases} leases (${fleet.counts.subLeases} sub-leases), ${JSON.stringify(fleet.counts.byStatus)}`);

    const conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir },
      {
        DEFAULT: { host: 'bench', log_level: 'warning' },
        api: { default_resource_type: 'dummy_node' },
        noauth: { project_id: BENCH_ADMIN, project_name: 'admin', roles: 'admin', projects: PROJECT_ENTRIES.join(',') },
      },
    );
    started = Date.now();
    const service = await startService(entry, conf, await freePort());
    const ceiling = await spawnCeiling(db.connection, await freePort());
    record(suite, 'service start', `${((Date.now() - started) / 1000).toFixed(1)} s, RSS ${service.rssMb().toFixed(0)} MB idle`);
    try {
      const now = fromDate(new Date());
      const windowStart = toIso(addDays(now, 3)).slice(0, 19);
      const windowEnd = toIso(addDays(now, 4)).slice(0, 19);
      const randomOffer = () => fleet.currentOffers[Math.floor(Math.random() * fleet.currentOffers.length)];
      const contended = fleet.claimable.slice(0, 10);
      const claimBody = () => {
        const start = addSeconds(addDays(now, 10), 3600 * Math.floor(Math.random() * 24 * 19));
        return JSON.stringify({ start_time: toIso(start).slice(0, 19), end_time: toIso(addSeconds(start, 3600)).slice(0, 19) });
      };
      const base = { url: service.url, headers: ADMIN, seconds, connections: 10 };
      // One owner's offers: 1k offers and ~10k leases on the large fleet (the list target).
      const ownOffers = `project_id=${OWNERS[0]}`;
      const scenarios: LoadSpec[] = [
        { ...base, name: 'GET /v1/offers', path: '/v1/offers', connections: large ? 2 : 10 },
        ...(large
          ? [
              // The latency target is read at one connection: at ten, p99 is mostly queueing.
              { ...base, name: `GET /v1/offers?project_id=owner0 (1 connection)`, path: `/v1/offers?${ownOffers}`, connections: 1 },
              { ...base, name: `GET /v1/offers?project_id=owner0`, path: `/v1/offers?${ownOffers}` },
            ]
          : []),
        {
          ...base,
          name: `GET /v1/offers?available_*${large ? '&project_id=owner0' : ''}`,
          path: `/v1/offers?available_start_time=${windowStart}&available_end_time=${windowEnd}${large ? `&${ownOffers}` : ''}`,
        },
        { ...base, name: 'GET /v1/offers/{uuid}', path: () => `/v1/offers/${randomOffer()}` },
        { ...base, name: 'GET /v1/leases?view=all', path: '/v1/leases?view=all', connections: large ? 2 : 10 },
        { ...base, name: 'GET /v1/nodes', path: '/v1/nodes', connections: large ? 2 : 10 },
      ];
      for (const spec of scenarios) {
        await settle(spec);
        const alone = `; one request alone ${await settle(spec)} ms`;
        const result = await runLoad(spec);
        // autocannon stops at its deadline, but the requests it left in flight still run on the
        // server: wait for them so that they do not slow the next scenario down.
        await settle(spec);
        if (spec.name === 'GET /v1/offers/{uuid}') {
          const ceilingResult = await runLoad({ ...spec, name: 'ceiling: express + driver SELECT by uuid', url: ceiling.url });
          loadRow(suite, result, `${alone}; ours/ceiling ${((100 * result.rps) / ceilingResult.rps).toFixed(0)}%`);
          loadRow(suite, ceilingResult);
        } else {
          loadRow(suite, result, alone);
        }
      }
      loadRow(
        suite,
        await runLoad({
          ...base,
          name: `POST /v1/offers/{uuid}/claim (${contended.length} offers, 1 h windows)`,
          method: 'POST',
          headers: LESSEE,
          path: () => `/v1/offers/${contended[Math.floor(Math.random() * contended.length)]}/claim`,
          body: claimBody,
          expected: [409],
        }),
      );
      record(suite, 'API RSS right after the load run', `${service.rssMb().toFixed(0)} MB (peak during the run ${service.peakRssMb().toFixed(0)} MB)`);
      // The API collects garbage once it has been quiet for 2 s (IdleHeapCollector).
      await new Promise((r) => setTimeout(r, 5000));
      record(suite, 'API RSS at rest, 5 s after the load run', `${service.rssMb().toFixed(0)} MB`);
    } finally {
      await service.stop();
      await ceiling.close();
    }
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function managerSuite(kind: TestDatabaseKind, due: number, spread: number, windowSeconds: number): Promise<void> {
  const suite = `manager ${kind}`;
  // The manager runs in this process: with the heap settings `esi-leap` starts with.
  limitHeapGrowth();
  for (const leasedBefore of [true, false]) {
    const fulfil = await benchFulfilAllDue(kind, due, leasedBefore);
    record(
      suite,
      `fulfil ${due} due leases (one fulfillDueLeases call), nodes ${leasedBefore ? 'leased before' : 'never leased (first write creates a file)'}`,
      `${fulfil.seconds.toFixed(2)} s, ${(fulfil.fulfilled / fulfil.seconds).toFixed(0)} leases/s, ${fulfil.fulfilled}/${due} active`,
    );
  }
  const expiry = await benchExpireAllEnded(kind, due);
  record(
    suite,
    `expire ${due} ended leases (one expireEndedLeases call)`,
    `${expiry.seconds.toFixed(2)} s, ${(expiry.expired / expiry.seconds).toFixed(0)} leases/s, ${expiry.expired}/${due} expired`,
  );
  if (spread > 0) {
    const latency = await benchFulfilLatency(kind, spread, windowSeconds);
    record(
      suite,
      `start_time -> active, ${spread} leases due over ${windowSeconds} s (real scheduler)`,
      `p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms, max ${latency.maxMs.toFixed(0)} ms, ${latency.fulfilled}/${spread} active`,
    );
  }
}

/** One request of the scenario, alone: warms it up, and queues behind whatever is in flight. */
async function settle(spec: LoadSpec): Promise<number> {
  const target = spec.url + (typeof spec.path === 'string' ? spec.path : spec.path());
  const started = Date.now();
  await fetch(target, { headers: spec.headers, signal: AbortSignal.timeout(300_000) }).then((r) => r.arrayBuffer());
  return Date.now() - started;
}

function printTable(): void {
  const width = Math.max(...rows.map((r) => r.suite.length));
  const scenarioWidth = Math.max(...rows.map((r) => r.scenario.length));
  const lines = rows.map((r) => `${r.suite.padEnd(width)} | ${r.scenario.padEnd(scenarioWidth)} | ${r.figures}`);
  process.stdout.write(`\n${'suite'.padEnd(width)} | ${'scenario'.padEnd(scenarioWidth)} | figures\n`);
  process.stdout.write(`${'-'.repeat(width + scenarioWidth + 60)}\n${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const large = process.argv.includes('--large');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const wanted = (part: string) => !only || only.split(',').includes(part);
  const started = Date.now();
  log('transpiling the service');
  const entry = buildService();
  if (large) {
    if (wanted('http')) await httpSuite(entry, 'mariadb', LARGE, 10, true);
    if (wanted('manager')) {
      await managerSuite('mariadb', 10_000, 1_000, 60);
      await managerSuite('sqlite', 10_000, 0, 0);
    }
  } else {
    if (wanted('http')) {
      await httpSuite(entry, 'mariadb', SMALL, 5, false);
      await httpSuite(entry, 'sqlite', SMALL, 5, false);
    }
    if (wanted('manager')) {
      await managerSuite('mariadb', 1_000, 200, 20);
      await managerSuite('sqlite', 1_000, 200, 20);
    }
  }
  printTable();
  process.stdout.write(`\n${large ? 'large' : 'small'} suite in ${((Date.now() - started) / 1000).toFixed(0)} s (2 shared cores: figures are indicative)\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

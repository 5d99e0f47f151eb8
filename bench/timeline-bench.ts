/**
 * `npx ts-node --transpile-only bench/timeline-bench.ts [--kind=mariadb|sqlite] [--requests=N]`:
 * GET /v1/timeline for 30 days of a 1,000-node fleet (about 15 leases per node in the window),
 * one request at a time, as an admin (every lease in full) and as a lessee (most of them as
 * anonymous busy windows). Figures only, never assertions: the target is in docs/performance.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { addDays, fromDate, toIso } from '../src/common/time';
import { OfferStatus } from '../src/leasing/data/statuses';
import { TIMELINE_LEASE_STATUSES } from '../src/timeline/timeline.service';
import { TimelineBookingsRepository } from '../src/timeline/timeline-bookings.repository';
import { createTestDatabase, TestDatabaseKind } from '../test/helpers/test-databases';
import { freePort } from '../test/support/child-http';
import { writeLocalConf } from '../test/support/local-conf';
import { BENCH_ADMIN, generateFleet, LESSEES, PROJECT_ENTRIES } from './fleet-generator';
import { cpuMs, percentile } from './measure';
import { buildService, startService } from './service-process';

const FLEET = { nodes: 1000, leases: 45_000 };
const log = (line: string) => process.stderr.write(`[timeline-bench] ${line}\n`);

async function timeRequests(url: string, headers: Record<string, string>, count: number) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    const body = await res.arrayBuffer();
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
    bytes = body.byteLength;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1], bytes };
}

async function main(): Promise<void> {
  const kind = (process.argv.find((a) => a.startsWith('--kind='))?.slice(7) ?? 'mariadb') as TestDatabaseKind;
  const requests = Number(process.argv.find((a) => a.startsWith('--requests='))?.slice(11) ?? 40);
  const entry = buildService();
  const db = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-timeline-bench-'));
  try {
    let started = Date.now();
    const fleet = await generateFleet(db.dataSource, path.join(dir, 'nodes'), FLEET);
    log(
      `fleet on ${kind}: ${fleet.counts.leases} leases, ${fleet.counts.offers} offers in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const now = fromDate(new Date());
    const window = { start: addDays(now, -15), end: addDays(now, 15) };

    // The two statements alone, on the bench's own connection.
    const bookings = new TimelineBookingsRepository(db.dataSource);
    const read = {
      resourceType: 'dummy_node',
      resourceUuids: fleet.nodeUuids,
      ...window,
      offerStatuses: [OfferStatus.AVAILABLE],
      leaseStatuses: TIMELINE_LEASE_STATUSES,
    };
    const sqlTimes: number[] = [];
    let rows = 0;
    const benchCpu = process.cpuUsage();
    for (let i = 0; i < requests; i++) {
      started = Date.now();
      const [offers, leases] = await Promise.all([bookings.offers(read), bookings.leases(read)]);
      sqlTimes.push(Date.now() - started);
      rows = offers.length + leases.length;
    }
    const sortedSql = [...sqlTimes].sort((a, b) => a - b);
    const used = process.cpuUsage(benchCpu);
    log(
      `SQL (offers + leases statements): ${rows} rows, p50 ${percentile(sortedSql, 50)} ms, p95 ${percentile(sortedSql, 95)} ms, ` +
        `${((used.user + used.system) / 1000 / requests).toFixed(0)} ms of CPU in node per pair (reading the rows)`,
    );

    const conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir: path.join(dir, 'nodes') },
      {
        DEFAULT: { host: 'bench', log_level: 'warning' },
        api: { default_resource_type: 'dummy_node' },
        noauth: { project_id: BENCH_ADMIN, project_name: 'admin', roles: 'admin', projects: PROJECT_ENTRIES.join(',') },
      },
    );
    const service = await startService(entry, conf, await freePort());
    try {
      const query = `start_time=${toIso(window.start).slice(0, 19)}&end_time=${toIso(window.end).slice(0, 19)}`;
      const url = `${service.url}/v1/timeline?${query}`;
      const personas: [string, Record<string, string>][] = [
        ['admin (every lease in full)', { 'X-Project-Id': BENCH_ADMIN, 'X-Roles': 'admin' }],
        ['lessee (others as busy)', { 'X-Project-Id': LESSEES[0], 'X-Roles': 'lessee' }],
      ];
      for (const [name, headers] of personas) {
        await timeRequests(url, headers, 3);
        const cpuBefore = cpuMs(service.pid);
        const r = await timeRequests(url, headers, requests);
        const cpu = (cpuMs(service.pid) - cpuBefore) / requests;
        log(
          `GET /v1/timeline, 30 days, ${FLEET.nodes} nodes, ${name}: p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, ` +
            `max ${r.max.toFixed(0)} ms, ${(r.bytes / 1e6).toFixed(2)} MB, service CPU ${cpu.toFixed(0)} ms per request`,
        );
      }
      const filtered = await timeRequests(`${url}&constraint=cpus>=64`, personas[0][1], requests);
      log(`... with constraint=cpus>=64 (admin): p50 ${filtered.p50.toFixed(0)} ms, p95 ${filtered.p95.toFixed(0)} ms`);
    } finally {
      await service.stop();
    }
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});

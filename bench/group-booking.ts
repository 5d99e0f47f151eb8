/**
 * `npm run bench:groups -- [--kind=mariadb|sqlite] [--requests=N]`: POST /v1/lease_groups for
 * 8 nodes (`count=8`, a resource class and a constraint) on a 1,000-node fleet with 10,000
 * leases, one request at a time over one client connection, as lessees booking from offers,
 * first as dry runs, then for real, each after 20 unmeasured requests of its kind. Every
 * booking must answer 201 with 8 leases. Figures only, never assertions: the target is in
 * docs/performance.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Agent, fetch } from 'undici';
import { addDays, fromDate, toIso } from '../src/common/time';
import { createTestDatabase, TestDatabaseKind } from '../test/helpers/test-databases';
import { freePort } from '../test/support/child-http';
import { writeLocalConf } from '../test/support/local-conf';
import { BENCH_ADMIN, generateFleet, LESSEES, PROJECT_ENTRIES } from './fleet-generator';
import { cpuMs, percentile } from './measure';
import { buildService, startService } from './service-process';

const FLEET = { nodes: 1000, leases: 10_000 };
const GROUP = 8;
/** Requests of each kind made before the measured ones. */
const WARM_UP = 20;
const log = (line: string) => process.stderr.write(`[group-booking] ${line}\n`);

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  return `p50 ${f(percentile(sorted, 50))}, p95 ${f(percentile(sorted, 95))}, p99 ${f(percentile(sorted, 99))}, max ${f(sorted[sorted.length - 1])}`;
}

async function main(): Promise<void> {
  const kind = (process.argv.find((a) => a.startsWith('--kind='))?.slice(7) ?? 'mariadb') as TestDatabaseKind;
  const requests = Number(process.argv.find((a) => a.startsWith('--requests='))?.slice(11) ?? 300);
  const entry = buildService();
  const db = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-group-bench-'));
  try {
    const started = Date.now();
    const fleet = await generateFleet(db.dataSource, path.join(dir, 'nodes'), FLEET);
    log(
      `fleet on ${kind}: ${fleet.nodeUuids.length} nodes, ${fleet.counts.leases} leases, ${fleet.counts.offers} offers in ${((Date.now() - started) / 1000).toFixed(1)} s`,
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
    // One keep-alive connection for every request: the requests go one at a time.
    const dispatcher = new Agent({ connections: 1 });
    try {
      // The fleet's leases run to about 9 days ahead and its offers to 30: one-day windows
      // from day 10 to day 28, round-robin, leave room for every booking.
      const now = fromDate(new Date());
      const bodyFor = (i: number, dryRun: boolean) => {
        const start = addDays(now, 10 + (i % 18));
        return {
          count: GROUP,
          resource_class: 'baremetal',
          constraints: ['cpus>=48'],
          start_time: toIso(start).slice(0, 19),
          end_time: toIso(addDays(start, 1)).slice(0, 19),
          ...(dryRun ? { dry_run: true } : {}),
        };
      };
      const post = async (i: number, dryRun: boolean) => {
        const t0 = performance.now();
        const res = await fetch(`${service.url}/v1/lease_groups`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Project-Id': LESSEES[i % LESSEES.length],
            'X-Roles': 'lessee',
          },
          body: JSON.stringify(bodyFor(i, dryRun)),
          dispatcher,
        });
        const body = (await res.json()) as { count?: number; leases?: unknown[]; faultstring?: string };
        const ms = performance.now() - t0;
        const expected = dryRun ? 200 : 201;
        if (res.status !== expected || body.count !== GROUP) {
          throw new Error(`request ${i}: ${res.status} ${JSON.stringify(body).slice(0, 400)}`);
        }
        return ms;
      };

      // Each kind measured after a warm-up, as a service that has been up a while: the first
      // bookings pay for compiling the transaction's code and MariaDB's first pages of new rows.
      for (let i = 0; i < WARM_UP; i++) await post(i, true);
      const cpu = (since: number) =>
        `service CPU ${((cpuMs(service.pid) - since) / requests).toFixed(1)} ms per request`;
      let cpuBefore = cpuMs(service.pid);
      const dry: number[] = [];
      for (let i = 0; i < requests; i++) dry.push(await post(i, true));
      log(`dry run, count=${GROUP}, ${requests} requests one at a time: ${summary(dry)}, ${cpu(cpuBefore)}`);
      for (let i = 0; i < WARM_UP; i++) await post(requests + i, false);
      cpuBefore = cpuMs(service.pid);
      const booked: number[] = [];
      for (let i = 0; i < requests; i++) booked.push(await post(i, false));
      log(
        `booking, count=${GROUP}, ${requests} requests one at a time: ${summary(booked)}, ${cpu(cpuBefore)} ` +
          `(${(requests + WARM_UP) * GROUP} leases added, ${WARM_UP * GROUP} of them by the warm-up)`,
      );
    } finally {
      await dispatcher.close();
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

/**
 * `npm run bench:availability [-- --kind=mariadb|sqlite] [-- --requests=N]`: GET /v1/availability
 * on the bench's fleet at 1,000 nodes and 10,000 leases, one request at a time (one connection),
 * as a lessee searching the offers it may claim and as an owner searching its own nodes.
 * Figures only, never assertions: the target is in docs/performance.md ("Availability search").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabaseKind } from '../test/helpers/test-databases';
import { freePort } from '../test/support/child-http';
import { writeLocalConf } from '../test/support/local-conf';
import { BENCH_ADMIN, generateFleet, LESSEES, OWNERS, PROJECT_ENTRIES } from './fleet-generator';
import { cpuMs, percentile } from './measure';
import { buildService, startService } from './service-process';

const FLEET = { nodes: 1000, leases: 10_000 };
const log = (line: string) => process.stderr.write(`[availability-bench] ${line}\n`);

async function timeRequests(url: string, headers: Record<string, string>, count: number) {
  const times: number[] = [];
  let body: { windows: { start_time: string; count: number }[] } = { windows: [] };
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    const text = await res.text();
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
    body = JSON.parse(text);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1], body };
}

async function main(): Promise<void> {
  const kind = (process.argv.find((a) => a.startsWith('--kind='))?.slice(7) ?? 'mariadb') as TestDatabaseKind;
  const requests = Number(process.argv.find((a) => a.startsWith('--requests='))?.slice(11) ?? 40);
  const entry = buildService();
  const db = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-availability-bench-'));
  try {
    const started = Date.now();
    const fleet = await generateFleet(db.dataSource, path.join(dir, 'nodes'), FLEET);
    log(
      `fleet on ${kind}: ${fleet.nodeUuids.length} nodes, ${fleet.counts.leases} leases, ${fleet.counts.offers} offers ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
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
      const lessee = { 'X-Project-Id': LESSEES[0], 'X-Roles': 'lessee' };
      const owner = { 'X-Project-Id': OWNERS[0], 'X-Roles': 'owner' };
      const cases: [string, string, Record<string, string>][] = [
        ['lessee, offers, 10 nodes for 1 day, 30 days', 'count=10&duration=P1D', lessee],
        ['lessee, offers, 50 nodes for 3 days, 30 days', 'count=50&duration=P3D', lessee],
        [
          'lessee, + resource_class and cpus>=64',
          'count=10&duration=P1D&resource_class=baremetal&constraint=cpus>=64',
          lessee,
        ],
        [
          'owner, owned nodes, 5 for 12 h, 60 days',
          'source=owned&count=5&duration=PT12H&not_after=' + in60Days(),
          owner,
        ],
      ];
      for (const [name, query, headers] of cases) {
        const url = `${service.url}/v1/availability?${query}`;
        await timeRequests(url, headers, 3);
        const cpuBefore = cpuMs(service.pid);
        const r = await timeRequests(url, headers, requests);
        const cpu = (cpuMs(service.pid) - cpuBefore) / requests;
        const first = r.body.windows[0];
        log(
          `${name}: p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, max ${r.max.toFixed(0)} ms, ` +
            `service CPU ${cpu.toFixed(0)} ms per request; ${r.body.windows.length} windows` +
            (first ? `, first at ${first.start_time} with ${first.count} nodes` : ''),
        );
      }
    } finally {
      await service.stop();
    }
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function in60Days(): string {
  return new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 19);
}

main().catch((err) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});

/**
 * `npm run bench:lists -- [--kind=mariadb|sqlite] [--requests=N] [--lease-requests=N] [--fleet=small]
 * [--levels=0,1,6]`:
 * the large fleet (10k nodes, ~100k leases, ~15.5k offers), one request at a time on loopback:
 *
 * - bytes on the wire and latency of the owner's offer list (~1.5k offers) and of the
 *   whole-table lease list (~100k leases), without and with `Accept-Encoding: gzip`, for
 *   `[api] response_gzip_level` 0 (off), 1 and 6;
 * - the owner's offer list filtered by `constraint=cpus>=64` against the same list unfiltered
 *   (p50/p99, compression off).
 *
 * Figures only, never assertions: they go in docs/performance.md ("Lists: constraints, paging,
 * compression").
 */
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabaseKind } from '../test/helpers/test-databases';
import { freePort } from '../test/support/child-http';
import { writeLocalConf } from '../test/support/local-conf';
import { BENCH_ADMIN, generateFleet, LARGE, OWNERS, PROJECT_ENTRIES, SMALL } from './fleet-generator';
import { cpuMs, percentile } from './measure';
import { buildService, startService } from './service-process';

const log = (line: string) => process.stderr.write(`[list-bench] ${line}\n`);
const ADMIN = { 'X-Project-Id': BENCH_ADMIN, 'X-Roles': 'admin' };

/** One GET, timed to the last byte; the bytes counted are the body as sent (compressed or not). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ ms: number; wire: number; status: number; encoding?: string; head: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let wire = 0;
        let head = '';
        res.on('data', (chunk: Buffer) => {
          wire += chunk.length;
          if (head.length < 300) head += chunk.subarray(0, 300).toString();
        });
        res.on('end', () =>
          resolve({
            ms: performance.now() - started,
            wire,
            status: res.statusCode!,
            encoding: res.headers['content-encoding'],
            head,
          }),
        );
      })
      .on('error', reject);
  });
}

async function timed(url: string, headers: Record<string, string>, count: number, pid: number) {
  await get(url, headers);
  const times: number[] = [];
  let wire = 0;
  let encoding: string | undefined;
  const cpuBefore = cpuMs(pid);
  for (let i = 0; i < count; i++) {
    const r = await get(url, headers);
    if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.head}`);
    times.push(r.ms);
    wire = r.wire;
    encoding = r.encoding;
  }
  const cpu = (cpuMs(pid) - cpuBefore) / count;
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), wire, encoding: encoding ?? 'identity', cpu };
}

const fmt = (r: Awaited<ReturnType<typeof timed>>) =>
  `${(r.wire / 1e6).toFixed(3)} MB ${r.encoding}, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, service CPU ${r.cpu.toFixed(0)} ms/request`;

async function main(): Promise<void> {
  const arg = (name: string, fallback: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
  const kind = arg('kind', 'mariadb') as TestDatabaseKind;
  const requests = Number(arg('requests', '100'));
  const leaseRequests = Number(arg('lease-requests', '5'));
  const size = arg('fleet', 'large') === 'small' ? SMALL : LARGE;
  const entry = buildService();
  const db = await createTestDatabase(kind);
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-list-bench-'));
  try {
    const started = Date.now();
    const fleet = await generateFleet(db.dataSource, path.join(dir, 'nodes'), size);
    log(
      `fleet on ${kind}: ${fleet.counts.leases} leases, ${fleet.counts.offers} offers in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const offersUrl = `/v1/offers?project_id=${OWNERS[0]}`;
    const leasesUrl = '/v1/leases?view=all&status=any';

    for (const level of arg('levels', '0,1,6').split(',').map(Number)) {
      const conf = path.join(dir, `esi-leap-${level}.conf`);
      writeLocalConf(
        conf,
        { connection: db.connection, nodeDir: path.join(dir, 'nodes') },
        {
          DEFAULT: { host: 'bench', log_level: 'warning' },
          api: { default_resource_type: 'dummy_node', response_gzip_level: level },
          noauth: {
            project_id: BENCH_ADMIN,
            project_name: 'admin',
            roles: 'admin',
            projects: PROJECT_ENTRIES.join(','),
          },
        },
      );
      const service = await startService(entry, conf, await freePort());
      try {
        const gzip = { ...ADMIN, 'Accept-Encoding': 'gzip' };
        for (const [name, url, count] of [
          ['owner offer list', offersUrl, requests],
          ['whole lease list', leasesUrl, leaseRequests],
        ] as const) {
          if (level === 0)
            log(
              `level 0, ${name}, no Accept-Encoding: ${fmt(await timed(service.url + url, ADMIN, count, service.pid))}`,
            );
          log(
            `level ${level}, ${name}, Accept-Encoding gzip: ${fmt(await timed(service.url + url, gzip, count, service.pid))}`,
          );
        }
        if (level === 0) {
          // Interleaved runs, so that drift of the shared machine hits both alike.
          const plain: number[] = [];
          const filtered: number[] = [];
          for (let round = 0; round < 5; round++) {
            const a = await timed(service.url + offersUrl, ADMIN, requests / 5, service.pid);
            const b = await timed(
              `${service.url}${offersUrl}&constraint=${encodeURIComponent('cpus>=64')}`,
              ADMIN,
              requests / 5,
              service.pid,
            );
            plain.push(a.p99);
            filtered.push(b.p99);
            log(`round ${round}: unfiltered ${fmt(a)}; constraint=cpus>=64 ${fmt(b)}`);
          }
          const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
          log(
            `constraint filter: median p99 ${median(filtered).toFixed(1)} ms vs unfiltered ${median(plain).toFixed(1)} ms (ratio ${(median(filtered) / median(plain)).toFixed(2)})`,
          );
        }
      } finally {
        await service.stop();
      }
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

/**
 * `npm run bench:keystone`: the API with Keystone authentication under steady load while its
 * cached entries keep expiring. A real Keystone (test/services/keystone.sh, own state and free
 * port, stopped at the end) sits behind a counting proxy; the service runs as a child process
 * with `[keystone_authtoken] token_cache_time` short, so the caller's token entry lapses every
 * few seconds, and long enough to see the project cache (one minute) lapse too. Every request's
 * latency is recorded: the figure that matters is the slowest one. Figures only, never
 * assertions: they go to docs/performance.md.
 *
 * The load is paced (BENCH_RATE requests per second over BENCH_CONNECTIONS connections) well
 * below what the machine can serve, so a latency reflects waiting, not a CPU queue: a request
 * that had to wait for Keystone would stand out. Requests that were in flight while Keystone was
 * being asked something are reported apart.
 *
 * Environment: BENCH_SECONDS (75), BENCH_RATE (50), BENCH_CONNECTIONS (5), BENCH_TOKEN_CACHE_TIME (5).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createTestDatabase } from '../test/helpers/test-databases';
import { issueToken, keystoneConf, KeystoneIdentity } from '../test/keystone/keystone-service';
import { freePort } from '../test/support/child-http';
import { ForwardingProxy } from '../test/support/forwarding-proxy';
import { buildService, startService } from './service-process';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 75);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 5);
const TOKEN_CACHE_TIME = Number(process.env.BENCH_TOKEN_CACHE_TIME ?? 5);
const SLOW_MS = 100;
const KEYSTONE_SCRIPT = path.resolve(__dirname, '..', 'test', 'services', 'keystone.sh');

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function keystone(state: string, command: 'start' | 'stop'): void {
  execFileSync('bash', [KEYSTONE_SCRIPT, command], {
    env: { ...process.env, ESI_LEAP_KEYSTONE_STATE: state },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

interface Timed {
  readonly startedAt: number;
  readonly ms: number;
}

/** `CONNECTIONS` loops, together sending `RATE` requests a second, for `SECONDS`. */
async function pacedLoad(url: string, token: string): Promise<{ requests: Timed[]; failures: number }> {
  const requests: Timed[] = [];
  let failures = 0;
  const interval = (1000 * CONNECTIONS) / RATE;
  const start = performance.now();
  const until = start + SECONDS * 1000;
  const loop = async (index: number) => {
    let next = start + (index * interval) / CONNECTIONS;
    while (next < until) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const startedAt = performance.now();
      const response = await fetch(url, { headers: { 'X-Auth-Token': token } });
      await response.arrayBuffer();
      requests.push({ startedAt, ms: performance.now() - startedAt });
      if (response.status !== 200) failures++;
      next += interval;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => loop(i)));
  return { requests, failures };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'esi-leap-bench-keystone-'));
  const state = path.join(work, 'keystone');
  const db = await createTestDatabase('sqlite');
  let proxy: ForwardingProxy | null = null;
  let service: Awaited<ReturnType<typeof startService>> | null = null;
  try {
    log('starting Keystone');
    keystone(state, 'start');
    const ks = JSON.parse(readFileSync(path.join(state, 'identity.json'), 'utf8')) as KeystoneIdentity;
    proxy = new ForwardingProxy(ks.auth_url);
    const v3 = `${await proxy.start()}/v3`;

    const conf = path.join(work, 'esi-leap.conf');
    writeFileSync(
      conf,
      [
        '[DEFAULT]',
        'host = bench',
        'log_level = warning',
        '[api]',
        'default_resource_type = dummy_node',
        '[pecan]',
        'auth_enable = true',
        '[database]',
        `connection = ${db.connection}`,
        '[dummy_node]',
        `dummy_node_dir = ${path.join(work, 'nodes')}`,
        keystoneConf(ks, {
          authUrl: v3,
          authtoken: [`token_cache_time = ${TOKEN_CACHE_TIME}`],
          keystone: [`endpoint_override = ${v3}`],
        }),
      ].join('\n'),
    );
    // One dummy node of esi-owner, offered to esi-lessee: listing offers as the sub-project
    // esi-lessee-child needs its parent chain and the project names.
    mkdirSync(path.join(work, 'nodes'));
    writeFileSync(
      path.join(work, 'nodes', 'bench-node'),
      JSON.stringify({ project_owner_id: ks.projects['esi-owner'] }),
    );
    service = await startService(buildService(), conf, await freePort());
    const ownerToken = await issueToken(ks, 'esi-owner-user', ks.user_password, 'esi-owner');
    const offer = await fetch(`${service.url}/v1/offers`, {
      method: 'POST',
      headers: { 'X-Auth-Token': ownerToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ resource_type: 'dummy_node', resource_uuid: 'bench-node', lessee_id: 'esi-lessee' }),
    });
    if (offer.status !== 201) throw new Error(`offer: HTTP ${offer.status} ${await offer.text()}`);
    const token = await issueToken(ks, 'esi-sublessee-user', ks.user_password, 'esi-lessee-child');
    const url = `${service.url}/v1/offers`;
    // Warm: the service tokens, the caller's token, project names and parent chain are cached.
    await (await fetch(url, { headers: { 'X-Auth-Token': token } })).arrayBuffer();
    const before = proxy.requests.length;

    log(
      `paced load: ${RATE} req/s over ${CONNECTIONS} connections for ${SECONDS} s, token_cache_time = ${TOKEN_CACHE_TIME} s`,
    );
    const { requests, failures } = await pacedLoad(url, token);
    const keystoneCalls = proxy.requests.slice(before).filter((r) => r.method === 'GET');
    const overlapping = requests.filter((q) =>
      keystoneCalls.some((k) => q.startedAt < (k.answeredAt ?? Infinity) && q.startedAt + q.ms > k.receivedAt),
    );
    const sorted = requests.map((q) => q.ms).sort((a, b) => a - b);
    const validations = keystoneCalls.filter((r) => r.path.startsWith('/v3/auth/tokens')).length;
    const projectCalls = keystoneCalls.filter((r) => r.path.startsWith('/v3/projects')).length;
    const slowest = (list: Timed[]) => Math.max(0, ...list.map((q) => q.ms)).toFixed(1);
    const figures = [
      `${requests.length} requests (${(requests.length / SECONDS).toFixed(0)} req/s), ${failures} non-200`,
      `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${slowest(requests)} ms, ` +
        `${sorted.filter((ms) => ms > SLOW_MS).length} above ${SLOW_MS} ms`,
      `Keystone was asked ${validations} token validations and ${projectCalls} project look-ups during the load`,
      `${overlapping.length} requests were in flight while Keystone was being asked: slowest ${slowest(overlapping)} ms, ` +
        `${overlapping.filter((q) => q.ms > SLOW_MS).length} above ${SLOW_MS} ms`,
    ];
    process.stdout.write(`\nKeystone cache expiry under load\n${figures.map((f) => `  ${f}`).join('\n')}\n`);
  } finally {
    await service?.stop();
    await proxy?.stop();
    await db.drop();
    try {
      keystone(state, 'stop');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});

import { createHash } from 'node:crypto';
import * as http from 'node:http';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { TestDatabaseKind, testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';
import { Fixture, FuzzRequest, requestArb } from './support/fuzz-requests';
import { storedValuesRequestArb } from './support/fuzz-stored-values';
import { printSummary, recordRow } from './support/summary';

/**
 * Property-based fuzzing of every route with fast-check over real HTTP (loopback,
 * one keep-alive connection, requests one at a time so that any change to the database can be
 * pinned on the request that made it).
 *
 * Properties checked for every response:
 * - never a status >= 500;
 * - every 4xx is the esi-leap error body `{faultcode: "Client", faultstring, debuginfo: null}`
 *   as JSON, or one of upstream's plain-text routing errors (404/405);
 * - a rejected request (any non-2xx) leaves the database exactly as it was: the rows of every
 *   table are hashed before and after each rejected POST/PATCH/DELETE, and every GET (which
 *   must never write) is covered by a hash comparison every GET_CHECK_EVERY requests.
 *
 * Runs on SQLite and on MariaDB (which refuses what SQLite keeps: values wider than their
 * column, 4-byte characters in a utf8mb3 one), with bodies up to the 1 MiB limit (and just over
 * it) and nesting around and far beyond the parser's depth limit. MariaDB runs fewer requests
 * per property: its hash reads every table over the network after each write.
 */
const RUNS_PER_PROPERTY: Record<TestDatabaseKind, number> = {
  sqlite: Number(process.env.ESI_LEAP_FUZZ_RUNS ?? 2_000),
  mariadb: Number(process.env.ESI_LEAP_FUZZ_RUNS ?? 1_000),
};
const SEED = Number(process.env.ESI_LEAP_FUZZ_SEED ?? Date.now() % 2 ** 31);
const GET_CHECK_EVERY = 25;
const REQUEST_TIMEOUT_MS = 10_000;

const NOT_FOUND_TEXT = '404 Not Found\n\nThe resource could not be found.\n\n   ';
const METHOD_NOT_ALLOWED = /^405 Method Not Allowed\n\nThe method [A-Z]+ is not allowed for this resource\. \n\n $/;

interface FuzzResponse {
  status: number;
  contentType: string;
  text: string;
}

// --- client and database fingerprint -----------------------------------------------------

function send(agent: http.Agent, port: number, req: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** A hash over every row of every table (rows sorted, so that no order of reading matters). */
async function fingerprint(ds: DataSource, kind: TestDatabaseKind): Promise<string> {
  const tables: Array<{ name: string }> = await ds.query(
    kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name',
  );
  const hash = createHash('sha256');
  for (const { name } of tables) {
    const rows = ((await ds.query(kind === 'sqlite' ? `SELECT * FROM "${name}"` : `SELECT * FROM \`${name}\``)) as unknown[])
      .map((row) => JSON.stringify(row))
      .sort();
    hash.update(`${name}:${rows.length}:${rows.join('\n')}\n`);
  }
  return hash.digest('hex');
}

/** Node's HTTP parser refuses a request head (request line + headers) over 16 KiB itself. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

function headBytes(req: FuzzRequest): number {
  return (
    Buffer.byteLength(`${req.method} ${req.path} HTTP/1.1\r\n`) +
    Object.entries(req.headers).reduce((n, [k, v]) => n + Buffer.byteLength(`${k}: ${v}\r\n`, 'latin1'), 200)
  );
}

/** Keys an error body may carry after the three, each a refusal's machine-readable detail. */
const DETAIL_KEYS: ReadonlySet<string> = new Set(['capacity']);

/** Why a response breaks the contract, or null. */
function violation(req: FuzzRequest, res: FuzzResponse): string | null {
  // Answered by Node before any esi-leap code runs (documented in docs/reliability.md).
  if (res.status === 431 && headBytes(req) > NODE_MAX_HEADER_BYTES - 1024) return null;
  if (res.status >= 500) return `status ${res.status}`;
  if (res.status < 400) return null;
  // A HEAD answer has no body to check.
  if (req.method === 'HEAD')
    return /^(application\/json|text\/plain)/.test(res.contentType) ? null : `HEAD ${res.status} (${res.contentType})`;
  if (res.contentType.startsWith('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return 'JSON content type with a body that is not JSON';
    }
    const b = body as Record<string, unknown>;
    // The three keys, then at most the machine-readable detail of a refusal that has one (a
    // lease group's 409 explains itself under `capacity`).
    const keys = Object.keys(b ?? {});
    if (
      JSON.stringify(keys.slice(0, 3)) !== '["faultcode","faultstring","debuginfo"]' ||
      keys.slice(3).some((key) => !DETAIL_KEYS.has(key))
    )
      return `error body keys ${JSON.stringify(keys)}`;
    if (b.faultcode !== 'Client' || b.debuginfo !== null || typeof b.faultstring !== 'string' || b.faultstring === '')
      return 'error body values';
    return null;
  }
  if (res.contentType.startsWith('text/plain')) {
    if (res.status === 404 && res.text === NOT_FOUND_TEXT) return null;
    if (res.status === 405 && METHOD_NOT_ALLOWED.test(res.text)) return null;
  }
  return `undocumented ${res.status} (${res.contentType}): ${res.text.slice(0, 200)}`;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NODES = ['fuzz-node', 'fuzz-node-2', 'fuzz-node-3', 'fuzz-node-4'];

describe.each(testDatabaseKinds())('fuzzing every route (%s)', (kind) => {
  let t: TestApp;
  let port: number;
  let agent: http.Agent;
  let fixture: Fixture;
  let baseline: string;
  const stats = {
    requests: 0,
    byStatus: new Map<number, number>(),
    rejected: 0,
    rejectedChecked: 0,
    mutationsAccepted: 0,
    getsSinceCheck: [] as FuzzRequest[],
  };

  beforeAll(async () => {
    t = await createTestApp({ kind });
    port = Number(new URL(await t.url()).port);
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const node of NODES) t.nodes.add(node, { owner: P.owner });
    const offer = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: 'fuzz-node', name: 'fixture-offer', start_time: '2030-01-01', end_time: '2031-01-01' });
    const lease = await t
      .as('owner')
      .post('/v1/leases')
      .send({
        resource_uuid: 'fuzz-node-2',
        name: 'fixture-lease',
        project_id: P.lessee,
        start_time: '2030-01-01',
        end_time: '2030-01-15',
      });
    const group = await t
      .as('lessee')
      .post('/v1/lease_groups')
      .send({ count: 1, name: 'fixture-group', start_time: '2030-02-01', end_time: '2030-02-02' });
    expect([offer.status, lease.status, group.status]).toEqual([201, 201, 201]);
    fixture = { offer: offer.body.uuid, lease: lease.body.uuid, node: 'fuzz-node', group: group.body.uuid };
    baseline = await fingerprint(t.dataSource, kind);
  });
  afterAll(async () => {
    agent?.destroy();
    await t?.close();
    printSummary();
  });

  async function exercise(req: FuzzRequest): Promise<boolean> {
    const res = await send(agent, port, req);
    stats.requests += 1;
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    const problem = violation(req, res);
    if (problem) throw new Error(`${req.method} ${req.path.slice(0, 300)} -> ${problem.slice(0, 300)}`);
    const accepted = res.status >= 200 && res.status < 300;
    if (!accepted) stats.rejected += 1;
    if (MUTATING.has(req.method)) {
      const now = await fingerprint(t.dataSource, kind);
      if (accepted) {
        stats.mutationsAccepted += 1;
      } else {
        stats.rejectedChecked += 1;
        if (now !== baseline)
          throw new Error(
            `${req.method} ${req.path.slice(0, 300)} was answered ${res.status} but changed the database`,
          );
      }
      baseline = now;
      stats.getsSinceCheck = [];
      return true;
    }
    stats.getsSinceCheck.push(req);
    if (!accepted) stats.rejectedChecked += 1;
    if (stats.getsSinceCheck.length >= GET_CHECK_EVERY) {
      const now = await fingerprint(t.dataSource, kind);
      if (now !== baseline)
        throw new Error(
          `one of these reads changed the database: ${stats.getsSinceCheck.map((r) => `${r.method} ${r.path.slice(0, 100)}`).join('; ')}`,
        );
      stats.getsSinceCheck = [];
    }
    return true;
  }

  const anyRoute = (methods: readonly string[]) => (f: Fixture) => requestArb(f, methods);
  const families: Array<[string, (f: Fixture) => fc.Arbitrary<FuzzRequest>, number]> = [
    ['reads (GET)', anyRoute(['GET']), 1],
    ['creations (POST)', anyRoute(['POST']), 1],
    ['changes (PATCH, DELETE)', anyRoute(['PATCH', 'DELETE']), 1],
    ['other methods (PUT, HEAD, OPTIONS, odd verbs)', anyRoute(['PUT', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'PURGE']), 1],
    ['any method', anyRoute(['GET', 'POST', 'PATCH', 'DELETE', 'PUT']), 1],
    ['well-formed writes, values around the column widths', (f) => storedValuesRequestArb(f, NODES), 0.25],
  ];
  const runsOf = (share: number) => Math.ceil(RUNS_PER_PROPERTY[kind] * share);

  it.each(families)('%s: no 5xx, error format, rejected requests change nothing', async (_name, arbitrary, share) => {
    await fc.assert(
      fc.asyncProperty(arbitrary(fixture), (req) => exercise(req)),
      {
        numRuns: runsOf(share),
        seed: SEED,
        // Shrinking replays requests; keep a failing run bounded.
        interruptAfterTimeLimit: 90_000, // under jest's 120 s test timeout
        markInterruptAsFailure: true,
        // fast-check's own report prints whole counterexamples (some are megabytes).
        reporter: (details) => {
          if (!details.failed) return;
          const example = JSON.stringify(details.counterexample ?? details.failures?.[0]).slice(0, 1500);
          const cause = String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance).slice(
            0,
            600,
          );
          throw new Error(
            `property failed (seed ${details.seed}, path ${String(details.counterexamplePath).slice(0, 200)}): ${cause}\ncounterexample: ${example}`,
          );
        },
      },
    );
  });

  it('sent every run, and the database ends as the accepted requests left it', async () => {
    expect(await fingerprint(t.dataSource, kind)).toBe(baseline);
    const statuses = [...stats.byStatus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    process.stdout.write(`[fuzz] ${kind}: seed ${SEED}, ${stats.requests} requests, statuses ${statuses}\n`);
    expect(stats.requests).toBeGreaterThanOrEqual(families.reduce((n, [, , share]) => n + runsOf(share), 0));
    recordRow({
      scenario: `bad input (fast-check, all routes, ${kind})`,
      load: `${stats.requests} requests, seed ${SEED}`,
      faults:
        'random paths, queries, JSON bodies (up to and over 1 MiB, nested beyond the limit), types, huge/unicode strings, bad datetimes, content types, identities',
      result: `0 x 5xx; ${stats.rejected} rejected all in error format, ${stats.rejectedChecked} checked unchanged DB; ${stats.mutationsAccepted} accepted writes; statuses ${statuses}`,
    });
  });
});

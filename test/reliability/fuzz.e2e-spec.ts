import { createHash } from 'node:crypto';
import * as http from 'node:http';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/test-app';
import { headersFor, P, PERSONAS, Persona } from '../support/projects';
import { printSummary, recordRow } from './support/summary';

/**
 * Issue 11.3: property-based fuzzing of every route with fast-check over real HTTP (loopback,
 * one keep-alive connection, requests one at a time so that any change to the database can be
 * pinned on the request that made it).
 *
 * Properties checked for every response:
 * - never a status >= 500;
 * - every 4xx is the esi-leap error body `{faultcode: "Client", faultstring, debuginfo: null}`
 *   as JSON, or one of the documented plain-text routing errors (404/405, api.md 1.2);
 * - a rejected request (any non-2xx) leaves the database exactly as it was: the rows of every
 *   table are hashed before and after each rejected POST/PATCH/DELETE, and every GET (which
 *   must never write) is covered by a hash comparison every GET_CHECK_EVERY requests.
 *
 * Runs on SQLite only (the properties are about the HTTP layer; the hashes must be cheap).
 */
const RUNS_PER_PROPERTY = Number(process.env.ESI_LEAP_FUZZ_RUNS ?? 2_000);
const SEED = Number(process.env.ESI_LEAP_FUZZ_SEED ?? Date.now() % 2 ** 31);
const GET_CHECK_EVERY = 25;
const REQUEST_TIMEOUT_MS = 10_000;

const NOT_FOUND_TEXT = '404 Not Found\n\nThe resource could not be found.\n\n   ';
const METHOD_NOT_ALLOWED = /^405 Method Not Allowed\n\nThe method [A-Z]+ is not allowed for this resource\. \n\n $/;

const QUERY_NAMES = [
  'resource_uuid',
  'resource_type',
  'resource_class',
  'start_time',
  'end_time',
  'available_start_time',
  'available_end_time',
  'status',
  'project_id',
  'owner_id',
  'lessee_id',
  'lessee_or_owner_id',
  'view',
  'offer_uuid',
  'purpose',
  'last_event_id',
  'last_event_time',
  'event_type',
  'owner',
  'lessee',
  'limit',
  'marker',
];
const BODY_KEYS = [
  'resource_uuid',
  'resource_type',
  'resource_class',
  'resource_properties',
  'start_time',
  'end_time',
  'name',
  'properties',
  'lessee_id',
  'project_id',
  'offer_uuid',
  'parent_lease_uuid',
  'purpose',
  'status',
  'uuid',
  'project',
  'lessee',
  'owner',
  'owner_id',
  'resource',
  'availabilities',
  'fulfill_time',
  'expire_time',
  'node_uuid_or_name',
  'token_ttl',
  'access_url',
];

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface FuzzResponse {
  status: number;
  contentType: string;
  text: string;
}

interface Fixture {
  offer: string;
  lease: string;
  node: string;
}

// --- arbitraries ------------------------------------------------------------------------

const hugeString = fc.integer({ min: 1_000, max: 6_000 }).map((n) => 'x'.repeat(n));
const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'None',
    '..',
    '.',
    '%',
    '%zz',
    '\u0000',
    'é',
    '日本語',
    '🦄',
    "'; DROP TABLE leases; --",
    '{}',
    '[]',
  ),
  hugeString,
);
const datetimeLike = fc.oneof(
  fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('T', ' ').replace('Z', '')),
  fc.constantFrom(
    '2030-01-01',
    '2030-13-45',
    '2030-02-30T00:00:00',
    '2030-01-01T25:61:61',
    '2030-01-01T00:00:00+99:99',
    '99999-01-01',
    '0000-00-00',
    '2030-01-01T00:00:00.1234567891234',
    'May 20 2034',
    'garbage',
    '',
    'T',
    '-1',
    '2030-01-01T00:00:00Z',
    '2030-01-01T00:00:00+05:00',
    '1e400',
    'NaN',
    '2030-W01-1',
    '2030-001',
  ),
  fc
    .tuple(fc.integer({ min: -10, max: 100_000 }), fc.integer({ min: -5, max: 99 }), fc.integer({ min: -5, max: 99 }))
    .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
);
const queryValue = fc.oneof(
  datetimeLike,
  weirdString,
  fc.integer().map(String),
  fc.constantFrom('all', 'active', 'available', P.owner, P.lessee, 'test_node', 'dummy_node'),
);

function identifier(fixture: Fixture): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      fixture.offer,
      fixture.lease,
      fixture.node,
      fixture.offer.toUpperCase(),
      `{${fixture.lease}}`,
      `urn:uuid:${fixture.offer}`,
      'fixture-offer',
      'fixture-lease',
    ),
    fc.uuid(),
    weirdString,
  );
}

/** Percent-encodes UTF-8 bytes (lone surrogates included, as U+FFFD) except unreserved characters and `keep`. */
function pct(text: string, keep = ''): string {
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9._~-]/.test(ch) || keep.includes(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `raw` leaves `%` alone, so that malformed escapes (`%zz`, `%E0%A4%A`) reach the server. */
function rawSegment(id: string, raw: boolean): string {
  return pct(id, raw ? '%' : '');
}

function pathArb(fixture: Fixture): fc.Arbitrary<string> {
  const id = identifier(fixture);
  const seg = fc.tuple(id, fc.boolean()).map(([value, raw]) => rawSegment(value, raw));
  const suffix = fc.constantFrom('', '', '', '/', '.json', '//');
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom('/v1/offers', '/v1/leases', '/v1/nodes', '/v1/events', '/v1/console_auth_tokens'),
          fc.constantFrom('', '', '', '/'),
        )
        .map(([p, s]) => p + s),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            `/v1/offers/${fixture.offer}`,
            `/v1/leases/${fixture.lease}`,
            `/v1/offers/${fixture.offer}/claim`,
            '/v1/offers/fixture-offer',
            '/v1/leases/fixture-lease',
            `/v1/console_auth_tokens/${fixture.node}`,
          ),
          fc.constantFrom('', '', '/'),
        )
        .map(([p, s]) => p + s),
    },
    fc
      .tuple(
        fc.constantFrom(
          '/',
          '/v1',
          '/v1/',
          '/v1/offers',
          '/v1/leases',
          '/v1/nodes',
          '/v1/events',
          '/v1/console_auth_tokens',
          '/healthcheck',
          '/docs-json',
        ),
        suffix,
      )
      .map(([p, s]) => p + s),
    fc
      .tuple(fc.constantFrom('/v1/offers/', '/v1/leases/', '/v1/console_auth_tokens/'), seg, suffix)
      .map(([p, s, x]) => p + s + x),
    fc.tuple(seg, suffix).map(([s, x]) => `/v1/offers/${s}/claim${x}`),
    fc.tuple(seg, seg).map(([a, b]) => `/v1/${a}/${b}`),
    seg.map((s) => `/${s}`),
  );
}

const queryArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  {
    weight: 5,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), weirdString), queryValue), { maxLength: 5 })
      .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}` : '')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?',
      '?&&',
      '?a',
      '?=x',
      '?start_time[$gt]=1',
      '?status[]=a&status[]=b',
      '?view=all&view=',
      '?%',
      '?last_event_id=99999999999999999999',
      '?last_event_id=-1',
      '?last_event_id=0x10',
    ),
  },
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  datetimeLike,
  weirdString,
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}, { nested: { deep: [1, { a: null }] } }),
);

function bodyArb(fixture: Fixture): fc.Arbitrary<string | undefined> {
  const objectBody = fc
    .dictionary(
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...BODY_KEYS) }, { weight: 1, arbitrary: weirdString }),
      fc.oneof(jsonish, fc.constantFrom(fixture.node, fixture.offer, P.lessee, 'test_node', 'dummy_node')),
      { maxKeys: 6 },
    )
    .map((o) => JSON.stringify(o));
  return fc.oneof(
    { weight: 6, arbitrary: objectBody },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        '{',
        '{"a":',
        'null',
        '[]',
        '"x"',
        '\u0000',
        '{"end_time": 1}',
        '{"__proto__": {"x": 1}}',
        '{"constructor": {"prototype": {}}}',
      ),
    },
    { weight: 1, arbitrary: weirdString },
  );
}

const contentTypeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=UTF-8',
      'text/javascript',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'a/b/c',
      ';',
      '',
      null,
    ),
  },
);

const personaArb = fc.oneof(
  fc.constantFrom(...(Object.keys(PERSONAS) as Persona[])).map((p) => headersFor(p)),
  fc.constant({} as Record<string, string>),
  fc.record({
    'X-Project-Id': fc.constantFrom('', 'x', P.owner, 'ÿ'.repeat(300)),
    'X-Roles': fc.constantFrom('', ',,,', 'admin,,owner', 'ADMIN', 'ÿ'),
  }),
);

function requestArb(fixture: Fixture, methods: readonly string[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom(...methods),
      path: pathArb(fixture),
      query: queryArb,
      body: bodyArb(fixture),
      contentType: contentTypeArb,
      identity: personaArb,
      accept: fc.constantFrom(undefined, 'application/json', 'text/html', 'application/xml', '*/*'),
    })
    .map(({ method, path, query, body, contentType, identity, accept }) => {
      const headers: Record<string, string> = { ...identity };
      if (contentType !== null) headers['Content-Type'] = contentType;
      if (accept) headers.Accept = accept;
      return { method, path: path + query, headers, body };
    });
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

async function fingerprint(ds: DataSource): Promise<string> {
  const tables: Array<{ name: string }> = await ds.query(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const hash = createHash('sha256');
  for (const { name } of tables) {
    const rows = await ds.query(`SELECT * FROM "${name}" ORDER BY rowid`);
    hash.update(`${name}:${rows.length}:${JSON.stringify(rows)}\n`);
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
    if (JSON.stringify(Object.keys(b ?? {})) !== '["faultcode","faultstring","debuginfo"]')
      return `error body keys ${JSON.stringify(Object.keys(b ?? {}))}`;
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

describe('fuzzing every route (SQLite)', () => {
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
    t = await createTestApp();
    port = Number(new URL(await t.url()).port);
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.nodes.add('fuzz-node', { owner: P.owner });
    t.nodes.add('fuzz-node-2', { owner: P.owner });
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
    expect([offer.status, lease.status]).toEqual([201, 201]);
    fixture = { offer: offer.body.uuid, lease: lease.body.uuid, node: 'fuzz-node' };
    baseline = await fingerprint(t.dataSource);
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
      const now = await fingerprint(t.dataSource);
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
      const now = await fingerprint(t.dataSource);
      if (now !== baseline)
        throw new Error(
          `one of these reads changed the database: ${stats.getsSinceCheck.map((r) => `${r.method} ${r.path.slice(0, 100)}`).join('; ')}`,
        );
      stats.getsSinceCheck = [];
    }
    return true;
  }

  const families: Array<[string, readonly string[]]> = [
    ['reads (GET)', ['GET']],
    ['creations (POST)', ['POST']],
    ['changes (PATCH, DELETE)', ['PATCH', 'DELETE']],
    ['other methods (PUT, HEAD, OPTIONS, odd verbs)', ['PUT', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'PURGE']],
    ['any method', ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']],
  ];

  it.each(families)('%s: no 5xx, error format, rejected requests change nothing', async (_name, methods) => {
    await fc.assert(
      fc.asyncProperty(requestArb(fixture, methods), (req) => exercise(req)),
      {
        numRuns: RUNS_PER_PROPERTY,
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

  it('sent at least 10,000 requests in total, and the database ends as the accepted requests left it', async () => {
    expect(await fingerprint(t.dataSource)).toBe(baseline);
    const statuses = [...stats.byStatus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    process.stdout.write(`[fuzz] seed ${SEED}, ${stats.requests} requests, statuses ${statuses}\n`);
    expect(stats.requests).toBeGreaterThanOrEqual(Math.min(10_000, RUNS_PER_PROPERTY * families.length));
    recordRow({
      scenario: 'bad input (fast-check, all routes)',
      load: `${stats.requests} requests, seed ${SEED}`,
      faults:
        'random paths, queries, JSON bodies, types, huge/unicode strings, bad datetimes, content types, identities',
      result: `0 x 5xx; ${stats.rejected} rejected all in error format, ${stats.rejectedChecked} checked unchanged DB; ${stats.mutationsAccepted} accepted writes; statuses ${statuses}`,
    });
  });
});

import fc from 'fast-check';
import { headersFor, P, PERSONAS, Persona } from '../../support/projects';

/**
 * The requests the fuzz test sends: fast-check arbitraries for paths, queries, bodies (up to
 * and past the size and depth limits), content types and identities over every route.
 */
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
  'count',
  'min_count',
  'max_count',
  'constraints',
  'dry_run',
  'from',
];

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Fixture {
  offer: string;
  lease: string;
  node: string;
  /** A lease group of the lessee project. */
  group: string;
}

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
      fixture.group,
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
          fc.constantFrom('/v1/offers', '/v1/leases', '/v1/nodes', '/v1/events', '/v1/console_auth_tokens', '/v1/lease_groups'),
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
            `/v1/lease_groups/${fixture.group}`,
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
          '/v1/lease_groups',
          '/healthcheck',
          '/docs-json',
        ),
        suffix,
      )
      .map(([p, s]) => p + s),
    fc
      .tuple(fc.constantFrom('/v1/offers/', '/v1/leases/', '/v1/console_auth_tokens/', '/v1/lease_groups/'), seg, suffix)
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

/** The body size limit (`[api] max_request_body_size`, default). */
const BODY_LIMIT = 1024 * 1024;

/**
 * A JSON object of exactly `size` bytes whose bulk sits under `key`: a string, or an array of
 * numbers (big integers and floats, which the parser keeps exactly).
 */
function bodyOfSize(key: string, size: number, kind: 'string' | 'numbers', resource: string): string {
  const head = `{"resource_uuid": "${resource}", "${key}": `;
  const room = size - Buffer.byteLength(head) - 1;
  if (kind === 'string') {
    const filler = Math.max(0, room - 2);
    const value =
      key === 'properties' || key === 'resource_properties'
        ? `{"pad":"${'x'.repeat(Math.max(0, filler - 10))}"}`
        : `"${'x'.repeat(filler)}"`;
    return `${head}${value}}`;
  }
  const item = '12345678901234567890.5,1.0,';
  const items = item.repeat(Math.max(0, Math.floor((room - 12) / item.length)));
  const value = key === 'properties' || key === 'resource_properties' ? `{"n":[${items}1]}` : `[${items}1]`;
  return `${head}${value}}`.padEnd(size, ' ');
}

function bigBodyArb(fixture: Fixture): fc.Arbitrary<string> {
  return fc
    .record({
      key: fc.constantFrom('properties', 'resource_properties', 'name', 'purpose', 'lessee_id', 'node_uuid_or_name'),
      size: fc.constantFrom(65_530, 65_545, 70_000, BODY_LIMIT - 64, BODY_LIMIT, BODY_LIMIT + 1),
      kind: fc.constantFrom('string' as const, 'numbers' as const),
    })
    .map(({ key, size, kind }) => bodyOfSize(key, size, kind, fixture.node));
}

/** Nesting just under, at and over the depth limit (100), and far beyond it. */
function deepBodyArb(fixture: Fixture): fc.Arbitrary<string> {
  return fc
    .record({
      depth: fc.constantFrom(97, 98, 99, 100, 101, 150, 5_000, 100_000),
      open: fc.constantFrom('[', '{"a":'),
      place: fc.constantFrom('properties', 'name', 'whole'),
    })
    .map(({ depth, open, place }) => {
      const close = open === '[' ? ']' : '}';
      const nested = open.repeat(depth) + '1' + close.repeat(depth);
      if (place === 'whole') return nested;
      const value = place === 'properties' ? `{"deep":${nested}}` : nested;
      return `{"resource_uuid": "${fixture.node}", "${place}": ${value}}`;
    });
}

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
      fc.oneof(
        jsonish,
        fc.constantFrom(fixture.node, fixture.offer, P.lessee, 'test_node', 'dummy_node', 'owned', 'offers', 1, 2, 101),
        fc.constantFrom(['cpus>=1'], ['cpus>>1'], ['memory_mb in (1, 2)', 'x'], [1], ['']),
      ),
      { maxKeys: 6 },
    )
    .map((o) => JSON.stringify(o));
  return fc.oneof(
    { weight: 60, arbitrary: objectBody },
    { weight: 20, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: bigBodyArb(fixture) },
    { weight: 3, arbitrary: deepBodyArb(fixture) },
    {
      weight: 10,
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
        '{"properties": {"big": 12345678901234567890, "f": 1e400}}',
        '{"properties": {"emoji": "🦄🦄🦄"}, "name": "🦄"}',
      ),
    },
    { weight: 10, arbitrary: weirdString },
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

export function requestArb(fixture: Fixture, methods: readonly string[]): fc.Arbitrary<FuzzRequest> {
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

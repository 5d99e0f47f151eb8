import { createTestApp, TestApp } from '../support/test-app';
import { headersFor, P } from '../support/projects';
import { printSummary, recordRow } from './support/summary';

/**
 * Request limits: `[api] max_request_body_size` (413), `[api] max_query_length` (414) and
 * `[api] rate_limit` per project (429 + Retry-After), each in the esi-leap error format.
 */
function expectFault(res: { status: number; headers: Record<string, string>; body: unknown }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body as object)).toEqual(['faultcode', 'faultstring', 'debuginfo']);
  expect(res.body).toMatchObject({ faultcode: 'Client', debuginfo: null });
}

describe('request limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      conf: '[api]\nmax_request_body_size = 2048\nmax_query_length = 256\nrate_limit = 20\nrate_limit_period = 60',
    });
  });
  afterAll(async () => {
    await t.close();
    printSummary();
  });

  it('answers 413, 414 and 429 in the esi-leap error format', async () => {
    t.nodes.add('limits-1', { owner: P.owner });
    const offersBefore = await t.dataSource.query('SELECT COUNT(*) AS n FROM offers');

    // 413: a body over the limit, whatever it holds, never reaches the controller.
    const big = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: 'limits-1', properties: { pad: 'x'.repeat(4096) } });
    expectFault(big, 413);
    expect(big.body.faultstring).toBe('Request body is larger than 2048 bytes.');
    // Just under the limit is served.
    const small = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: 'limits-1', properties: { pad: 'x'.repeat(1500) } });
    expect(small.status).toBe(201);
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM offers'))[0].n)).toBe(
      Number(offersBefore[0].n) + 1,
    );

    // 414: the query string, counted in bytes, over the limit.
    const long = await t.as('lessee').get(`/v1/offers?status=${'é'.repeat(200)}`);
    expectFault(long, 414);
    expect(long.body.faultstring).toBe('Request-URI Too Long: the query string is longer than 256 bytes.');
    expect((await t.as('lessee').get(`/v1/offers?status=${'a'.repeat(200)}`)).status).toBe(200);

    // 429: one project over its budget; another project is not affected.
    const statuses: number[] = [];
    let limited: { headers: Record<string, string>; body: { faultstring: string } } | undefined;
    for (let i = 0; i < 25; i++) {
      const res = await t.as('owner2').get('/v1/leases');
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else expect(res.status).toBe(200);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const res429 = await t.as('owner2').get('/v1/leases');
    expectFault(res429, 429);
    const retryAfter = Number(res429.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited!.body.faultstring).toMatch(
      new RegExp(`^Rate limit exceeded for project ${P.owner2}: at most 20 requests per 60 seconds\\.`),
    );
    expect((await t.as('childLessee').get('/v1/leases')).status).toBe(200);
    // Health probes and the root document are never limited.
    expect((await t.as('owner2').get('/healthcheck')).status).toBe(200);
    expect((await t.as('owner2').get('/')).status).toBe(200);
    recordRow({
      scenario: 'limits (body, query, rate)',
      load: '2 bodies, 2 queries, 26 requests of one project',
      faults: 'body 4 KiB > 2 KiB, query 400 B > 256 B, 21st+ request in 60 s',
      result: `413/414 as configured; rate limit 20 x 200 then 429 (Retry-After ${retryAfter} s); other project unaffected`,
    });
  });

  it('defaults are generous: a 500 KB body and a 4 KB query pass the limits, no rate limit', async () => {
    const d = await createTestApp();
    try {
      d.nodes.add('limits-2', { owner: P.owner });
      const body = await d
        .as('owner')
        .post('/v1/offers')
        // In an ignored attribute: a stored `properties` is limited to its TEXT column (64 KiB).
        .send({ resource_uuid: 'limits-2', resource_properties: { pad: 'x'.repeat(500_000) } });
      expect(body.status).toBe(201);
      const query = await d.as('owner').get(`/v1/offers?status=${'a'.repeat(4000)}`);
      expect(query.status).toBe(200);
      const base = await d.url();
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(`${base}/v1/leases`, { headers: headersFor('owner') }).then((r) => r.status),
        ),
      );
      expect(results.every((s) => s === 200)).toBe(true);
    } finally {
      await d.close();
    }
  });
});

import { createTestApp, TestApp } from '../support/test-app';

describe('version documents, routing and framework errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each(['get', 'post', 'put', 'delete'] as const)('%s / answers the root document', async (method) => {
    const res = await t.http()[method]('/').set('Host', 'leap.example:7777');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const link = [{ href: 'http://leap.example:7777/v1', rel: 'self' }];
    expect(res.body).toEqual({
      name: 'ESI Leap API',
      description:
        'ESI Leap is an OpenStack service for leasing baremetal nodes, designed to run on top of multi-tenant Ironic.',
      default_version: { id: 'v1', links: link, status: 'CURRENT', min_version: '1.0', version: '1.0' },
      versions: [{ id: 'v1', links: link, status: 'CURRENT', min_version: '1.0', version: '1.0' }],
    });
    expect(Object.keys(res.body)).toEqual(['name', 'description', 'default_version', 'versions']);
  });

  it('GET /v1 redirects to /v1/', async () => {
    const res = await t.http().get('/v1').set('Host', 'leap.example:7777');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('http://leap.example:7777/v1/');
  });

  it('GET /v1/ answers 300 with the v1.0 document', async () => {
    const res = await t.http().get('/v1/').set('Host', 'leap.example');
    expect(res.status).toBe(300);
    expect(res.body).toEqual({
      versions: [{ id: 'v1.0', status: 'CURRENT', links: [{ href: 'http://leap.example/v1', rel: 'self' }] }],
    });
  });

  it.each([
    ['put', '/v1/offers'],
    ['patch', '/v1/offers/abc'],
    ['get', '/v1/console_auth_tokens'],
    ['get', '/v1/nosuch'],
    ['put', '/v1/leases/x'],
  ] as const)('%s %s → 405 plain text', async (method, url) => {
    const res = await t.http()[method](url);
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('405 Method Not Allowed');
  });

  it.each(['head', 'options'] as const)('%s under /v1 → 405', async (method) => {
    const res = await t.http()[method]('/v1/offers');
    expect(res.status).toBe(405);
  });

  it.each([['/v1/offers/a/b'], ['/v1/offers/abc/claim']])('GET %s → 404 plain text', async (url) => {
    const res = await t.http().get(url);
    expect(res.status).toBe(404);
    expect(res.text).toContain('404 Not Found');
  });

  it.each([
    ['/v1/leases', 'lease_id'],
    ['/v1/offers', 'offer_id'],
  ])('DELETE %s without id → 400 Missing argument', async (url, arg) => {
    const res = await t.http().delete(url);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ faultcode: 'Client', faultstring: `Missing argument: "${arg}"`, debuginfo: null });
  });

  it('accepts a trailing slash on collections and items', async () => {
    expect((await t.as('admin').get('/v1/offers/')).status).toBe(200);
    expect((await t.as('admin').get('/v1/leases/')).status).toBe(200);
  });

  it('415 for an unsupported media type, 400 for bad JSON, missing content type or form bodies', async () => {
    const text = await t.as('owner').post('/v1/offers').set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    expect(text.body.faultstring).toBe('Unknown mimetype: text/plain');

    const bad = await t.as('owner').post('/v1/offers').set('Content-Type', 'application/json').send('not json');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ faultcode: 'Client', faultstring: 'Request is not in valid JSON format', debuginfo: null });

    const form = await t.as('owner').post('/v1/offers').type('form').send({ resource_uuid: 'x' });
    expect(form.status).toBe(400);
    expect(form.body.faultstring).toBe('Unknown argument: "resource_uuid"');

    const js = await t
      .as('admin')
      .post('/v1/offers')
      .set('Content-Type', 'text/javascript; charset=UTF-8')
      .send(JSON.stringify({ resource_uuid: 'nosuch', resource_type: 'test_node' }));
    expect(js.status).toBe(404);
  });

  it('answers every request with an X-Openstack-Request-Id', async () => {
    const res = await t.as('admin').get('/v1/offers');
    expect(res.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document listing the v1 routes', async () => {
    const res = await t.http().get('/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/offers', '/v1/offers/{ident}', '/v1/offers/{ident}/claim', '/v1/leases', '/v1/leases/{ident}', '/v1/nodes', '/v1/events']),
    );
  });
});

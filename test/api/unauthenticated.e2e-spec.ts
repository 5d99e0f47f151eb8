import { createTestApp, TestApp } from '../support/test-app';

/**
 * A 401 from the Keystone layer is an answer like any other: it carries the request id a
 * caller and an operator use to find it in the logs. No Keystone is needed to refuse a
 * request without a token, so this one is never reached.
 */
describe('401 without a token', () => {
  let t: TestApp;
  const REQUEST_ID = 'req-0f5e7a3c-1d2b-4c5d-8e9f-0a1b2c3d4e5f';

  beforeAll(async () => {
    const credentials = [
      'auth_url = http://127.0.0.1:9/v3',
      'auth_type = password',
      'username = esi-leap',
      'password = secret',
      'user_domain_id = default',
      'project_name = service',
      'project_domain_id = default',
    ];
    t = await createTestApp({
      authEnable: true,
      conf: [
        '[keystone_authtoken]',
        'www_authenticate_uri = http://keystone.example:5000',
        ...credentials,
        '[keystone]',
        ...credentials,
      ].join('\n'),
    });
  });
  afterAll(() => t.close());

  it.each([
    ['GET', '/v1/offers'],
    ['POST', '/v1/leases'],
    ['DELETE', '/v1/leases/x'],
    ['GET', '/v1'],
  ])('%s %s: 401 with an X-Openstack-Request-Id', async (method, url) => {
    const req = t.http()[method.toLowerCase() as 'get' | 'post' | 'delete'](url);
    const res = method === 'POST' ? await req.set('Content-Type', 'application/json').send('{"a": 1}') : await req;
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Keystone uri="http://keystone.example:5000"');
    expect(res.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
  });

  it('echoes a well-formed request id sent by the caller', async () => {
    const res = await t.http().get('/v1/offers').set('X-Openstack-Request-Id', REQUEST_ID);
    expect(res.status).toBe(401);
    expect(res.headers['x-openstack-request-id']).toBe(REQUEST_ID);
  });
});

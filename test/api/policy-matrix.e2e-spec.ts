import { createTestApp, TestApp } from '../support/test-app';
import { P, Persona } from '../support/projects';

/**
 * Route × persona matrix derived from the default policy: every route, for
 * admin, owner, lessee, a lessee of a sub-project, members with no role in the owning and
 * lessee projects, a member role only, and a foreign project. Each case gets fresh objects
 * so that the order of cases cannot matter.
 */
type Expectation = Partial<Record<Persona, number>>;

interface RouteCase {
  name: string;
  /** Builds what the request needs and returns method, URL and body. */
  prepare(t: TestApp, fresh: () => string): Promise<{ method: 'get' | 'post' | 'patch' | 'delete'; url: string; body?: object }>;
  expect: Expectation;
}

const PERSONAS: Persona[] = ['admin', 'owner', 'owner2', 'lessee', 'childLessee', 'otherLessee', 'ownerNoRole', 'lesseeNoRole', 'member'];

async function offerOn(t: TestApp, node: string): Promise<string> {
  const res = await t.as('owner').post('/v1/offers').send({ resource_uuid: node, start_time: '2040-01-01', end_time: '2040-03-01' });
  expect(res.status).toBe(201);
  return res.body.uuid;
}

async function leaseOn(t: TestApp, node: string): Promise<string> {
  const res = await t.as('owner').post('/v1/leases').send({ resource_uuid: node, project_id: P.lessee, start_time: '2040-01-01', end_time: '2040-01-05' });
  expect(res.status).toBe(201);
  return res.body.uuid;
}

const ROUTES: RouteCase[] = [
  {
    name: 'GET /v1/offers (offer:get_all)',
    prepare: async () => ({ method: 'get', url: '/v1/offers' }),
    expect: { admin: 200, owner: 200, owner2: 200, lessee: 200, childLessee: 200, otherLessee: 200, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'GET /v1/offers/{id} (offer:get + lessee restriction)',
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/offers/${await offerOn(t, fresh())}` }),
    expect: { admin: 200, owner: 200, owner2: 200, lessee: 200, childLessee: 200, otherLessee: 200, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'POST /v1/offers (offer:create + node ownership)',
    prepare: async (_t, fresh) => ({ method: 'post', url: '/v1/offers', body: { resource_uuid: fresh() } }),
    expect: { admin: 201, owner: 201, owner2: 403, lessee: 403, childLessee: 403, otherLessee: 403, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'DELETE /v1/offers/{id} (offer:delete: admin or the offering project)',
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/offers/${await offerOn(t, fresh())}` }),
    expect: { admin: 200, owner: 200, owner2: 403, lessee: 403, childLessee: 403, otherLessee: 403, ownerNoRole: 200, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'POST /v1/offers/{id}/claim (offer:claim)',
    prepare: async (t, fresh) => ({
      method: 'post',
      url: `/v1/offers/${await offerOn(t, fresh())}/claim`,
      body: { start_time: '2040-01-02', end_time: '2040-01-03' },
    }),
    expect: { admin: 201, owner: 201, owner2: 201, lessee: 201, childLessee: 201, otherLessee: 201, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'GET /v1/leases (lease:get_all)',
    prepare: async () => ({ method: 'get', url: '/v1/leases' }),
    expect: { admin: 200, owner: 200, owner2: 200, lessee: 200, childLessee: 200, otherLessee: 200, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'GET /v1/leases?view=all (lease:lease_admin)',
    prepare: async () => ({ method: 'get', url: '/v1/leases?view=all' }),
    expect: { admin: 200, owner: 403, owner2: 403, lessee: 403, childLessee: 403, otherLessee: 403, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'GET /v1/leases/{id} (lease:get: admin, lease owner or lessee project, no role needed)',
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/leases/${await leaseOn(t, fresh())}` }),
    expect: { admin: 200, owner: 200, owner2: 403, lessee: 200, childLessee: 403, otherLessee: 403, ownerNoRole: 200, lesseeNoRole: 200, member: 403 },
  },
  {
    name: 'POST /v1/leases (lease:create + node ownership)',
    prepare: async (_t, fresh) => ({ method: 'post', url: '/v1/leases', body: { resource_uuid: fresh(), project_id: P.lessee } }),
    expect: { admin: 201, owner: 201, owner2: 403, lessee: 403, childLessee: 403, otherLessee: 403, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'PATCH /v1/leases/{id} (lease:update: admin only)',
    prepare: async (t, fresh) => ({ method: 'patch', url: `/v1/leases/${await leaseOn(t, fresh())}`, body: { end_time: '2040-01-04T00:00:00' } }),
    expect: { admin: 200, owner: 403, owner2: 403, lessee: 403, childLessee: 403, otherLessee: 403, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
  {
    name: 'DELETE /v1/leases/{id} (checked with lease:get)',
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/leases/${await leaseOn(t, fresh())}` }),
    expect: { admin: 200, owner: 200, owner2: 403, lessee: 200, childLessee: 403, otherLessee: 403, ownerNoRole: 200, lesseeNoRole: 200, member: 403 },
  },
  {
    name: 'GET /v1/nodes (no esi-leap policy)',
    prepare: async () => ({ method: 'get', url: '/v1/nodes' }),
    expect: Object.fromEntries(PERSONAS.map((p) => [p, 200])),
  },
  {
    name: 'GET /v1/events (no denial)',
    prepare: async () => ({ method: 'get', url: '/v1/events' }),
    expect: Object.fromEntries(PERSONAS.map((p) => [p, 200])),
  },
  {
    name: 'GET /v1/timeline (timeline:get)',
    prepare: async () => ({ method: 'get', url: '/v1/timeline' }),
    expect: { admin: 200, owner: 200, owner2: 200, lessee: 200, childLessee: 200, otherLessee: 200, ownerNoRole: 403, lesseeNoRole: 403, member: 403 },
  },
];

describe('authorisation matrix from the default policy', () => {
  let t: TestApp;
  let seq = 0;
  const fresh = () => {
    const uuid = `matrix-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner });
    return uuid;
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const cases = ROUTES.flatMap((route) => PERSONAS.map((persona) => [route.name, persona, route] as const));
  it.each(cases)('%s as %s', async (_name, persona, route) => {
    const { method, url, body } = await route.prepare(t, fresh);
    const req = t.as(persona)[method](url);
    const res = body ? await req.send(body) : await req;
    expect({ status: res.status, body: res.status === 403 ? res.body.faultcode : 'ok' }).toEqual({
      status: route.expect[persona],
      body: route.expect[persona] === 403 ? 'Client' : 'ok',
    });
  });

  it('a custom policy file changes exactly the rules it names', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-policy-'));
    const file = path.join(dir, 'policy.yaml');
    writeFileSync(file, '"esi_leap:lease:update": "rule:is_admin or rule:is_lease_owner"\n');
    const custom = await createTestApp({ conf: `[oslo_policy]\npolicy_file = ${file}` });
    try {
      custom.nodes.add('custom-1', { owner: P.owner });
      const lease = await custom.as('owner').post('/v1/leases').send({ resource_uuid: 'custom-1', project_id: P.lessee, start_time: '2040-01-01', end_time: '2040-01-05' });
      expect((await custom.as('owner').patch(`/v1/leases/${lease.body.uuid}`).send({ end_time: '2040-01-04T00:00:00' })).status).toBe(200);
      expect((await custom.as('lessee').patch(`/v1/leases/${lease.body.uuid}`).send({ end_time: '2040-01-03T00:00:00' })).status).toBe(403);
      // An unnamed rule keeps its default.
      expect((await custom.as('member').get('/v1/offers')).status).toBe(403);
    } finally {
      await custom.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

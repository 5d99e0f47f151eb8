import { identityFromHeaders } from '../../src/auth/noauth-identity';
import { DEFAULT_POLICY_RULES } from '../../src/policy/default-rules';
import { PolicyService } from '../../src/policy/policy.service';
import { createTestApp, TestApp } from '../support/test-app';
import { headersFor, P, PERSONAS, Persona } from '../support/projects';
import { printSummary, recordRow } from './support/summary';

/**
 * Issue 11.4: the route × caller matrix with its expectations *computed* from the default
 * policy (src/policy/default-rules.ts, evaluated by the real PolicyService) instead of written
 * by hand, plus the "no identity" column: a request without identity headers acts, in noauth
 * mode, as the configured default project (`[noauth] project_id`, here the admin project) with
 * the configured roles (`[noauth] roles = admin`).
 *
 * Only what is not a policy rule is modelled by hand, from api.md 2.3: node ownership for
 * creations (checkResourceAdmin) and the lessee restriction of an offer (checkOfferLessee).
 * test/api/policy-matrix.e2e-spec.ts keeps its hand-written table; the two must agree.
 */
type Caller = Persona | 'noIdentity';
const CALLERS: Caller[] = [...(Object.keys(PERSONAS) as Persona[]), 'noIdentity'];

/** What the test app's `[noauth]` section says (test/support/test-app.ts). */
const DEFAULT_IDENTITY = { projectId: P.admin, projectName: 'admin', roles: ['admin'] };
/** Parent chains of the `[noauth] projects` directory (test/support/projects.ts). */
const ANCESTORS: Record<string, string[]> = { [P.child]: [P.lessee], [P.grandchild]: [P.child, P.lessee] };

function headersOf(caller: Caller): Record<string, string> {
  return caller === 'noIdentity' ? {} : headersFor(caller);
}

const policy = PolicyService.forTesting();
/** The creds the service builds from the headers (Node hands them over lower-cased). */
const credsOf = (caller: Caller) =>
  identityFromHeaders(
    Object.fromEntries(Object.entries(headersOf(caller)).map(([k, v]) => [k.toLowerCase(), v])),
    DEFAULT_IDENTITY,
  ).creds;
const allows = (caller: Caller, rule: string, target: Record<string, unknown> = {}) => {
  const creds = credsOf(caller);
  return policy.enforce(rule, creds, { ...creds, ...target });
};
const isOfferAdmin = (c: Caller) => allows(c, 'esi_leap:offer:offer_admin');
const ownsNode = (c: Caller) => credsOf(c).project_id === P.owner || isOfferAdmin(c);
const mayUseOffer = (c: Caller, lessee: string | null) => {
  const project = credsOf(c).project_id ?? '';
  return (
    lessee === null ||
    project === P.owner ||
    project === lessee ||
    (ANCESTORS[project] ?? []).includes(lessee) ||
    isOfferAdmin(c)
  );
};
const OFFER_TARGET = { 'offer.project_id': P.owner };
const WEBHOOK_TARGET = { 'webhook.project_id': P.lessee };
const LEASE_TARGET = { 'lease.owner_id': P.owner, 'lease.project_id': P.lessee };

interface Route {
  name: string;
  /** The policy rules this route checks (used to prove every enforced default rule is covered). */
  rules: string[];
  ok: number;
  allowed(c: Caller): boolean;
  prepare(
    t: TestApp,
    fresh: () => string,
  ): Promise<{ method: 'get' | 'post' | 'patch' | 'delete'; url: string; body?: object }>;
}

async function offerOn(t: TestApp, node: string, lessee?: string): Promise<string> {
  const res = await t
    .as('owner')
    .post('/v1/offers')
    .send({
      resource_uuid: node,
      start_time: '2040-01-01',
      end_time: '2040-03-01',
      ...(lessee ? { lessee_id: lessee } : {}),
    });
  expect(res.status).toBe(201);
  return res.body.uuid;
}

async function webhookOfLessee(t: TestApp): Promise<string> {
  const res = await t
    .as('lessee')
    .post('/v1/webhooks')
    .send({ url: 'http://127.0.0.1:9/hook', event_types: ['*'] });
  expect(res.status).toBe(201);
  return res.body.uuid;
}

async function leaseOn(t: TestApp, node: string): Promise<string> {
  const res = await t
    .as('owner')
    .post('/v1/leases')
    .send({ resource_uuid: node, project_id: P.lessee, start_time: '2040-01-01', end_time: '2040-01-05' });
  expect(res.status).toBe(201);
  return res.body.uuid;
}

const ROUTES: Route[] = [
  {
    name: 'GET /v1/offers',
    rules: ['esi_leap:offer:get_all'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:offer:get_all'),
    prepare: async () => ({ method: 'get', url: '/v1/offers' }),
  },
  {
    name: 'GET /v1/offers/{id}',
    rules: ['esi_leap:offer:get'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:offer:get', OFFER_TARGET) && mayUseOffer(c, null),
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/offers/${await offerOn(t, fresh())}` }),
  },
  {
    name: 'GET /v1/offers/{id} (offer restricted to the lessee project)',
    rules: ['esi_leap:offer:get', 'esi_leap:offer:offer_admin'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:offer:get', OFFER_TARGET) && mayUseOffer(c, P.lessee),
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/offers/${await offerOn(t, fresh(), P.lessee)}` }),
  },
  {
    name: 'POST /v1/offers',
    rules: ['esi_leap:offer:create', 'esi_leap:offer:offer_admin'],
    ok: 201,
    allowed: (c) => allows(c, 'esi_leap:offer:create') && ownsNode(c),
    prepare: async (_t, fresh) => ({ method: 'post', url: '/v1/offers', body: { resource_uuid: fresh() } }),
  },
  {
    name: 'DELETE /v1/offers/{id}',
    rules: ['esi_leap:offer:delete'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:offer:delete', OFFER_TARGET),
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/offers/${await offerOn(t, fresh())}` }),
  },
  {
    name: 'POST /v1/offers/{id}/claim',
    rules: ['esi_leap:offer:claim'],
    ok: 201,
    allowed: (c) => allows(c, 'esi_leap:offer:claim', OFFER_TARGET) && mayUseOffer(c, null),
    prepare: async (t, fresh) => ({
      method: 'post',
      url: `/v1/offers/${await offerOn(t, fresh())}/claim`,
      body: { start_time: '2040-01-02', end_time: '2040-01-03' },
    }),
  },
  {
    name: 'POST /v1/offers/{id}/claim (restricted offer)',
    rules: ['esi_leap:offer:claim', 'esi_leap:offer:offer_admin'],
    ok: 201,
    allowed: (c) => allows(c, 'esi_leap:offer:claim', OFFER_TARGET) && mayUseOffer(c, P.lessee),
    prepare: async (t, fresh) => ({
      method: 'post',
      url: `/v1/offers/${await offerOn(t, fresh(), P.lessee)}/claim`,
      body: { start_time: '2040-01-02', end_time: '2040-01-03' },
    }),
  },
  {
    name: 'GET /v1/leases',
    rules: ['esi_leap:lease:get_all'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:lease:get_all'),
    prepare: async () => ({ method: 'get', url: '/v1/leases' }),
  },
  {
    name: 'GET /v1/leases?view=all',
    rules: ['esi_leap:lease:lease_admin'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:lease:lease_admin'),
    prepare: async () => ({ method: 'get', url: '/v1/leases?view=all' }),
  },
  {
    name: 'GET /v1/leases/{id}',
    rules: ['esi_leap:lease:get'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:lease:get', LEASE_TARGET),
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/leases/${await leaseOn(t, fresh())}` }),
  },
  {
    name: 'POST /v1/leases',
    rules: ['esi_leap:lease:create', 'esi_leap:offer:offer_admin'],
    ok: 201,
    allowed: (c) => allows(c, 'esi_leap:lease:create') && ownsNode(c),
    prepare: async (_t, fresh) => ({
      method: 'post',
      url: '/v1/leases',
      body: { resource_uuid: fresh(), project_id: P.lessee },
    }),
  },
  {
    name: 'PATCH /v1/leases/{id}',
    rules: ['esi_leap:lease:update'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:lease:update', LEASE_TARGET),
    prepare: async (t, fresh) => ({
      method: 'patch',
      url: `/v1/leases/${await leaseOn(t, fresh())}`,
      body: { end_time: '2040-01-04T00:00:00' },
    }),
  },
  {
    name: 'DELETE /v1/leases/{id} (checked with lease:get)',
    rules: ['esi_leap:lease:get'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:lease:get', LEASE_TARGET),
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/leases/${await leaseOn(t, fresh())}` }),
  },
  {
    name: 'POST /v1/webhooks',
    rules: ['esi_leap:webhook:create'],
    ok: 201,
    allowed: (c) => allows(c, 'esi_leap:webhook:create'),
    prepare: async () => ({
      method: 'post',
      url: '/v1/webhooks',
      body: { url: 'http://127.0.0.1:9/hook', event_types: ['*'] },
    }),
  },
  {
    name: "GET /v1/webhooks (the caller's project)",
    rules: ['esi_leap:webhook:get'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:webhook:get', { 'webhook.project_id': credsOf(c).project_id }),
    prepare: async () => ({ method: 'get', url: '/v1/webhooks' }),
  },
  {
    name: 'GET /v1/webhooks/{id}',
    rules: ['esi_leap:webhook:get'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:webhook:get', WEBHOOK_TARGET),
    prepare: async (t) => ({ method: 'get', url: `/v1/webhooks/${await webhookOfLessee(t)}` }),
  },
  {
    name: 'GET /v1/webhooks/{id}/deliveries',
    rules: ['esi_leap:webhook:get'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:webhook:get', WEBHOOK_TARGET),
    prepare: async (t) => ({ method: 'get', url: `/v1/webhooks/${await webhookOfLessee(t)}/deliveries` }),
  },
  {
    name: 'DELETE /v1/webhooks/{id}',
    rules: ['esi_leap:webhook:delete'],
    ok: 200,
    allowed: (c) => allows(c, 'esi_leap:webhook:delete', WEBHOOK_TARGET),
    prepare: async (t) => ({ method: 'delete', url: `/v1/webhooks/${await webhookOfLessee(t)}` }),
  },
  {
    name: 'GET /v1/nodes (no esi-leap policy)',
    rules: [],
    ok: 200,
    allowed: () => true,
    prepare: async () => ({ method: 'get', url: '/v1/nodes' }),
  },
  {
    name: 'GET /v1/events (no denial)',
    rules: [],
    ok: 200,
    allowed: () => true,
    prepare: async () => ({ method: 'get', url: '/v1/events' }),
  },
];

/** Registered upstream but never checked by any endpoint (api.md 2.1). */
const NEVER_CHECKED = new Set([
  'esi_leap:lease:delete',
  'esi_leap:node:node_admin',
  'esi_leap:node:get_all',
  'esi_leap:event:event_admin',
  'esi_leap:event:get_all',
]);

describe('authorisation matrix generated from the default policy, with the no-identity column', () => {
  let t: TestApp;
  let seq = 0;
  const fresh = () => {
    const uuid = `gen-matrix-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner });
    return uuid;
  };
  const outcomes = { cases: 0, allowed: 0, denied: 0 };

  beforeAll(async () => {
    // Webhooks on, for their routes (on loopback, and without the per-project limit in the way).
    t = await createTestApp({
      conf: '[webhooks]\nenabled = true\nsecret_keys = a key of at least sixteen characters\nallow_private_targets = true\nmax_per_project = 1000',
    });
  });
  afterAll(async () => {
    await t.close();
    printSummary();
  });

  it('covers every default rule an endpoint checks', () => {
    const covered = new Set(ROUTES.flatMap((r) => r.rules));
    const endpointRules = DEFAULT_POLICY_RULES.map((r) => r.name).filter(
      (n) => n.startsWith('esi_leap:') && !NEVER_CHECKED.has(n),
    );
    expect(endpointRules.filter((n) => !covered.has(n))).toEqual([]);
  });

  it('without identity headers the caller is the configured default project with its roles', () => {
    expect(credsOf('noIdentity')).toMatchObject({ project_id: P.admin, roles: ['admin'] });
    for (const route of ROUTES)
      expect([route.name, route.allowed('noIdentity')]).toEqual([route.name, route.allowed('admin')]);
  });

  const cases = ROUTES.flatMap((route) => CALLERS.map((caller) => [route.name, caller, route] as const));
  it.each(cases)('%s as %s', async (_name, caller, route) => {
    const { method, url, body } = await route.prepare(t, fresh);
    const req = t.http()[method](url).set(headersOf(caller));
    const res = body ? await req.send(body) : await req;
    const allowed = route.allowed(caller);
    outcomes.cases += 1;
    outcomes[allowed ? 'allowed' : 'denied'] += 1;
    expect({ status: res.status, faultcode: res.body?.faultcode }).toEqual(
      allowed ? { status: route.ok, faultcode: undefined } : { status: 403, faultcode: 'Client' },
    );
  });

  it('records the matrix', () => {
    expect(outcomes.cases).toBe(ROUTES.length * CALLERS.length);
    recordRow({
      scenario: 'authorisation matrix (from policy defaults)',
      load: `${ROUTES.length} routes x ${CALLERS.length} callers (incl. no identity)`,
      faults: 'wrong roles, foreign projects, no roles, no identity headers',
      result: `${outcomes.cases} cases as computed: ${outcomes.allowed} allowed, ${outcomes.denied} denied with 403`,
    });
  });
});

import { TestApp } from '../../support/test-app';
import { headersFor, P, Persona } from '../../support/projects';

/**
 * The authorisation matrix written out by hand: for every route and every kind of caller, the
 * outcome the default policy and the API's ownership rules give (upstream's documented
 * behaviour, with this service's documented departures: policy enforced in noauth mode, a
 * creation without a project answers 400 instead of 500, console tokens only for the node's
 * owner or lessee project or an admin). Nothing here is computed by the code under test.
 */
export const CALLERS = [
  'admin',
  'owner',
  'owner2',
  'lessee',
  'childLessee',
  'otherLessee',
  'ownerNoRole',
  'lesseeNoRole',
  'member',
  'noProjectLessee',
  'noProjectOwner',
  'noProjectNoRole',
  'noProjectAdmin',
  'noIdentity',
] as const;
export type Caller = (typeof CALLERS)[number];

/** Identity headers as keystonemiddleware sets them; a domain- or system-scoped token has no project. */
const WITHOUT_PROJECT: Partial<Record<Caller, Record<string, string>>> = {
  noProjectLessee: { 'X-Roles': 'lessee', 'X-User-Id': 'user-without-project' },
  noProjectOwner: { 'X-Roles': 'owner', 'X-User-Id': 'user-without-project' },
  noProjectNoRole: { 'X-User-Id': 'user-without-project' },
  noProjectAdmin: { 'X-Roles': 'admin', 'X-User-Id': 'admin-without-project' },
  // No identity headers at all: noauth acts as [noauth] project_id with [noauth] roles (admin here).
  noIdentity: {},
};

export function headersOf(caller: Caller): Record<string, string> {
  return WITHOUT_PROJECT[caller] ?? headersFor(caller as Persona);
}

/** 2xx: allowed; 403 `Access was denied to …`; 404 the node's "not found"; 400 ``Field `project_id' cannot be None``. */
export type Outcome = 200 | 201 | 400 | 403 | 404;

type Method = 'get' | 'post' | 'patch' | 'delete';
interface Request {
  method: Method;
  url: string;
  body?: object;
}

export interface RouteRow {
  name: string;
  /** The route as the OpenAPI document names it (path parameters as `{id}`). */
  route: string;
  /** One outcome per caller, in the order of CALLERS. */
  outcomes: readonly Outcome[];
  /** Makes what the request needs, on fresh nodes owned by P.owner and leased to P.lessee. */
  prepare(t: TestApp, fresh: () => string): Promise<Request>;
}

async function offerOn(t: TestApp, node: string, lessee?: string): Promise<string> {
  const body = {
    resource_uuid: node,
    start_time: '2040-01-01',
    end_time: '2040-03-01',
    ...(lessee ? { lessee_id: lessee } : {}),
  };
  const res = await t.as('owner').post('/v1/offers').send(body);
  if (res.status !== 201) throw new Error(`offer: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.uuid as string;
}

async function leaseOn(t: TestApp, node: string): Promise<string> {
  const body = { resource_uuid: node, project_id: P.lessee, start_time: '2040-01-01', end_time: '2040-01-05' };
  const res = await t.as('owner').post('/v1/leases').send(body);
  if (res.status !== 201) throw new Error(`lease: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.uuid as string;
}

/** Webhooks served (they are off by default), on loopback targets, without the per-project limit in the way. */
export const WEBHOOKS_ON = [
  '[webhooks]',
  'enabled = true',
  'secret_keys = a key of at least sixteen characters',
  'allow_private_targets = true',
  'max_per_project = 100000',
].join('\n');

const HOOK = { url: 'http://127.0.0.1:9/hook', event_types: ['*'] };

async function webhookOfLessee(t: TestApp): Promise<string> {
  const res = await t.as('lessee').post('/v1/webhooks').send(HOOK);
  if (res.status !== 201) throw new Error(`webhook: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.uuid as string;
}

const CLAIM = { start_time: '2040-01-02', end_time: '2040-01-03' };

let groupClasses = 0;

/**
 * A lease group's body for one node, in a resource class no other row uses, over two fresh
 * offers, one of P.owner and one of P.owner2: a group is not booked from the caller's own
 * offers, so each owner finds the other's.
 */
async function groupBody(t: TestApp, fresh: () => string): Promise<object> {
  const resourceClass = `authz-group-${++groupClasses}`;
  for (const persona of ['owner', 'owner2'] as const) {
    const node = `${fresh()}-grp`;
    t.nodes.add(node, { owner: P[persona], resourceClass });
    const res = await t.as(persona).post('/v1/offers').send({ resource_uuid: node, start_time: '2040-01-01', end_time: '2040-03-01' });
    if (res.status !== 201) throw new Error(`offer: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { count: 1, resource_class: resourceClass, ...CLAIM };
}

async function groupOfLessee(t: TestApp, fresh: () => string): Promise<string> {
  const res = await t.as('lessee').post('/v1/lease_groups').send(await groupBody(t, fresh));
  if (res.status !== 201) throw new Error(`lease group: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.uuid as string;
}

// prettier-ignore
export const ROUTES: readonly RouteRow[] = [
  //                                                             admin owner own2 less child other oNoR lNoR memb npLes npOwn npNone npAdm none
  { name: 'GET /v1/offers', route: 'GET /v1/offers',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  403, 403, 403, 200,  200,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/offers' }) },
  { name: 'GET /v1/offers/{id}', route: 'GET /v1/offers/{id}',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  403, 403, 403, 200,  200,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/offers/${await offerOn(t, fresh())}` }) },
  { name: 'GET /v1/offers/{id} (offer for the lessee project)', route: 'GET /v1/offers/{id}',
    outcomes:                                                   [200,  200,  403, 200, 200,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/offers/${await offerOn(t, fresh(), P.lessee)}` }) },
  { name: 'POST /v1/offers', route: 'POST /v1/offers',
    outcomes:                                                   [201,  201,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   400,  201],
    prepare: async (_t, fresh) => ({ method: 'post', url: '/v1/offers', body: { resource_uuid: fresh() } }) },
  { name: 'DELETE /v1/offers/{id}', route: 'DELETE /v1/offers/{id}',
    outcomes:                                                   [200,  200,  403, 403, 403,  403,  200, 403, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/offers/${await offerOn(t, fresh())}` }) },
  { name: 'POST /v1/offers/{id}/claim', route: 'POST /v1/offers/{id}/claim',
    outcomes:                                                   [201,  201,  201, 201, 201,  201,  403, 403, 403, 400,  400,  403,   400,  201],
    prepare: async (t, fresh) => ({ method: 'post', url: `/v1/offers/${await offerOn(t, fresh())}/claim`, body: CLAIM }) },
  { name: 'POST /v1/offers/{id}/claim (offer for the lessee project)', route: 'POST /v1/offers/{id}/claim',
    outcomes:                                                   [201,  201,  403, 201, 201,  403,  403, 403, 403, 403,  403,  403,   400,  201],
    prepare: async (t, fresh) => ({ method: 'post', url: `/v1/offers/${await offerOn(t, fresh(), P.lessee)}/claim`, body: CLAIM }) },
  // Any role opens the timeline; what it shows of each lease is decided per lease (lease:get).
  { name: 'GET /v1/timeline', route: 'GET /v1/timeline',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  403, 403, 403, 200,  200,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/timeline' }) },
  // Any role searches; what it finds is what the caller could book anyway. Without a project
  // there is nobody to book for (400).
  { name: 'GET /v1/availability', route: 'GET /v1/availability',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  403, 403, 403, 400,  400,  403,   400,  200],
    prepare: async () => ({ method: 'get', url: '/v1/availability?duration=3600' }) },
  // Anyone's own quotas, without a role; a caller without a project names none (400).
  { name: 'GET /v1/quotas', route: 'GET /v1/quotas',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  200, 200, 200, 400,  400,  400,   400,  200],
    prepare: async () => ({ method: 'get', url: '/v1/quotas' }) },
  { name: 'GET /v1/quotas?project_id=<lessee>', route: 'GET /v1/quotas',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: `/v1/quotas?project_id=${P.lessee}` }) },
  { name: 'GET /v1/leases', route: 'GET /v1/leases',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  403, 403, 403, 200,  200,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/leases' }) },
  { name: 'GET /v1/leases?view=all', route: 'GET /v1/leases',
    outcomes:                                                   [200,  403,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/leases?view=all' }) },
  { name: 'GET /v1/leases?project_id=<lessee>', route: 'GET /v1/leases',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: `/v1/leases?project_id=${P.lessee}` }) },
  { name: 'GET /v1/leases?owner_id=<owner>', route: 'GET /v1/leases',
    outcomes:                                                   [200,  200,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: `/v1/leases?owner_id=${P.owner}` }) },
  { name: 'GET /v1/leases/{id}', route: 'GET /v1/leases/{id}',
    outcomes:                                                   [200,  200,  403, 200, 403,  403,  200, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/leases/${await leaseOn(t, fresh())}` }) },
  { name: 'POST /v1/leases', route: 'POST /v1/leases',
    outcomes:                                                   [201,  201,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   400,  201],
    prepare: async (_t, fresh) => ({ method: 'post', url: '/v1/leases', body: { resource_uuid: fresh(), project_id: P.lessee } }) },
  { name: 'PATCH /v1/leases/{id}', route: 'PATCH /v1/leases/{id}',
    outcomes:                                                   [200,  403,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'patch', url: `/v1/leases/${await leaseOn(t, fresh())}`, body: { end_time: '2040-01-04T00:00:00' } }) },
  { name: 'DELETE /v1/leases/{id}', route: 'DELETE /v1/leases/{id}',
    outcomes:                                                   [200,  200,  403, 200, 403,  403,  200, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/leases/${await leaseOn(t, fresh())}` }) },
  { name: 'GET /v1/nodes', route: 'GET /v1/nodes',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  200, 200, 200, 200,  200,  200,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/nodes' }) },
  { name: 'GET /v1/events', route: 'GET /v1/events',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  200, 200, 200, 200,  200,  200,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/events' }) },
  { name: 'POST /v1/console_auth_tokens', route: 'POST /v1/console_auth_tokens',
    outcomes:                                                   [201,  201,  404, 201, 404,  404,  201, 201, 404, 404,  404,  404,   201,  201],
    prepare: async (_t, fresh) => ({ method: 'post', url: '/v1/console_auth_tokens', body: { node_uuid_or_name: fresh() } }) },
  { name: 'DELETE /v1/console_auth_tokens/{id}', route: 'DELETE /v1/console_auth_tokens/{id}',
    outcomes:                                                   [200,  200,  404, 200, 404,  404,  200, 200, 404, 404,  404,  404,   200,  200],
    prepare: async (_t, fresh) => ({ method: 'delete', url: `/v1/console_auth_tokens/${fresh()}` }) },
  // Webhooks belong to a project: any role registers one for its own project, the project's
  // members (roles or not) and admins see and delete them.
  { name: 'POST /v1/webhooks', route: 'POST /v1/webhooks',
    outcomes:                                                   [201,  201,  201, 201, 201,  201,  403, 403, 403, 400,  400,  403,   400,  201],
    prepare: async () => ({ method: 'post', url: '/v1/webhooks', body: HOOK }) },
  // A caller without a project has no webhooks: an empty list.
  { name: "GET /v1/webhooks (the caller's project)", route: 'GET /v1/webhooks',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  200, 200, 200, 200,  200,  200,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/webhooks' }) },
  { name: 'GET /v1/webhooks?project_id=<lessee>', route: 'GET /v1/webhooks',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: `/v1/webhooks?project_id=${P.lessee}` }) },
  { name: 'GET /v1/webhooks/{id}', route: 'GET /v1/webhooks/{id}',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t) => ({ method: 'get', url: `/v1/webhooks/${await webhookOfLessee(t)}` }) },
  { name: 'GET /v1/webhooks/{id}/deliveries', route: 'GET /v1/webhooks/{id}/deliveries',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t) => ({ method: 'get', url: `/v1/webhooks/${await webhookOfLessee(t)}/deliveries` }) },
  { name: 'DELETE /v1/webhooks/{id}', route: 'DELETE /v1/webhooks/{id}',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t) => ({ method: 'delete', url: `/v1/webhooks/${await webhookOfLessee(t)}` }) },
  // Lease groups: booked from offers as a claim is (any role, for the caller's project); seen and
  // cancelled by the group's project, members with or without a role; the end changed by admins.
  { name: 'POST /v1/lease_groups', route: 'POST /v1/lease_groups',
    outcomes:                                                   [201,  201,  201, 201, 201,  201,  403, 403, 403, 400,  400,  403,   400,  201],
    prepare: async (t, fresh) => ({ method: 'post', url: '/v1/lease_groups', body: await groupBody(t, fresh) }) },
  // A caller without a project has no groups: an empty list.
  { name: "GET /v1/lease_groups (the caller's project)", route: 'GET /v1/lease_groups',
    outcomes:                                                   [200,  200,  200, 200, 200,  200,  200, 200, 200, 200,  200,  200,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/lease_groups' }) },
  { name: 'GET /v1/lease_groups?view=all', route: 'GET /v1/lease_groups',
    outcomes:                                                   [200,  403,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async () => ({ method: 'get', url: '/v1/lease_groups?view=all' }) },
  { name: 'GET /v1/lease_groups/{id}', route: 'GET /v1/lease_groups/{id}',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'get', url: `/v1/lease_groups/${await groupOfLessee(t, fresh)}` }) },
  { name: 'PATCH /v1/lease_groups/{id}', route: 'PATCH /v1/lease_groups/{id}',
    outcomes:                                                   [200,  403,  403, 403, 403,  403,  403, 403, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'patch', url: `/v1/lease_groups/${await groupOfLessee(t, fresh)}`, body: { end_time: '2040-01-04T00:00:00' } }) },
  { name: 'DELETE /v1/lease_groups/{id}', route: 'DELETE /v1/lease_groups/{id}',
    outcomes:                                                   [200,  403,  403, 200, 403,  403,  403, 200, 403, 403,  403,  403,   200,  200],
    prepare: async (t, fresh) => ({ method: 'delete', url: `/v1/lease_groups/${await groupOfLessee(t, fresh)}` }) },
];

/**
 * The objects of the list fixture, by name. Nodes: c-n1 and c-n3 of P.owner, c-n2 of
 * P.owner2. Offers (all `available`): o-open (owner, for anyone), o-lessee (owner, for
 * P.lessee and its sub-projects), o-other (owner2, for P.other), o-child (owner2, for
 * P.child). Leases: l-lessee (owner → lessee), l-other (owner2 → other), l-child (P.child's
 * claim of o-open), l-gone-lessee and l-gone-other (like the first two, cancelled; each left a
 * `delete.start` and a `delete.end` event).
 */
export interface Fixture {
  /** The fixture name of a listed offer, lease, node or event (`<lease>:<event>`). */
  nameOf(item: Record<string, unknown>): string;
}

const ALL_OFFERS = ['o-open', 'o-lessee', 'o-other', 'o-child'];
const LIVE_LEASES = ['l-lessee', 'l-other', 'l-child'];
const NODES = ['c-n1', 'c-n2', 'c-n3'];
const GONE_LESSEE = ['l-gone-lessee:delete.start', 'l-gone-lessee:delete.end'];
const GONE_OTHER = ['l-gone-other:delete.start', 'l-gone-other:delete.end'];
const ALL_EVENTS = [...GONE_LESSEE, ...GONE_OTHER];

/** A list's contents per caller (in CALLERS order): the names it shows, or the refusal. */
type Seen = readonly string[] | 403;
export interface ListRow {
  url: string;
  key: string;
  seen: readonly Seen[];
}

// prettier-ignore
export const CONTENTS = {
  'GET /v1/offers': { url: '/v1/offers', key: 'offers', seen: [
    /* admin */ ALL_OFFERS, /* owner */ ['o-open', 'o-lessee'], /* owner2 */ ['o-open', 'o-other', 'o-child'],
    /* lessee */ ['o-open', 'o-lessee'], /* childLessee */ ['o-open', 'o-lessee', 'o-child'], /* otherLessee */ ['o-open', 'o-other'],
    /* ownerNoRole */ 403, /* lesseeNoRole */ 403, /* member */ 403,
    /* noProjectLessee */ ['o-open'], /* noProjectOwner */ ['o-open'], /* noProjectNoRole */ 403,
    /* noProjectAdmin */ ALL_OFFERS, /* noIdentity */ ALL_OFFERS] },
  'GET /v1/leases': { url: '/v1/leases', key: 'leases', seen: [
    /* admin: scoped to its own project */ [], /* owner */ ['l-lessee', 'l-child'], /* owner2 */ ['l-other'],
    /* lessee */ ['l-lessee'], /* childLessee */ ['l-child'], /* otherLessee */ ['l-other'],
    /* ownerNoRole */ 403, /* lesseeNoRole */ 403, /* member */ 403,
    /* noProjectLessee */ [], /* noProjectOwner */ [], /* noProjectNoRole */ 403,
    /* noProjectAdmin */ [], /* noIdentity */ []] },
  'GET /v1/leases?status=any': { url: '/v1/leases?status=any', key: 'leases', seen: [
    /* admin */ [], /* owner */ ['l-lessee', 'l-child', 'l-gone-lessee'], /* owner2 */ ['l-other', 'l-gone-other'],
    /* lessee */ ['l-lessee', 'l-gone-lessee'], /* childLessee */ ['l-child'], /* otherLessee */ ['l-other', 'l-gone-other'],
    /* ownerNoRole */ 403, /* lesseeNoRole */ 403, /* member */ 403,
    /* noProjectLessee */ [], /* noProjectOwner */ [], /* noProjectNoRole */ 403,
    /* noProjectAdmin */ [], /* noIdentity */ []] },
  'GET /v1/leases?view=all': { url: '/v1/leases?view=all', key: 'leases', seen: [
    /* admin */ LIVE_LEASES, /* owner */ 403, /* owner2 */ 403, /* lessee */ 403, /* childLessee */ 403, /* otherLessee */ 403,
    /* ownerNoRole */ 403, /* lesseeNoRole */ 403, /* member */ 403,
    /* noProjectLessee */ 403, /* noProjectOwner */ 403, /* noProjectNoRole */ 403,
    /* noProjectAdmin */ LIVE_LEASES, /* noIdentity */ LIVE_LEASES] },
  'GET /v1/events': { url: '/v1/events', key: 'events', seen: [
    /* admin */ ALL_EVENTS, /* owner */ GONE_LESSEE, /* owner2 */ GONE_OTHER,
    /* lessee */ GONE_LESSEE, /* childLessee */ [], /* otherLessee */ GONE_OTHER,
    /* ownerNoRole: events need no role */ GONE_LESSEE, /* lesseeNoRole */ GONE_LESSEE, /* member */ GONE_OTHER,
    /* noProjectLessee */ [], /* noProjectOwner */ [], /* noProjectNoRole */ [],
    /* noProjectAdmin */ ALL_EVENTS, /* noIdentity */ ALL_EVENTS] },
  'GET /v1/events?lessee_or_owner_id=<owner2>': { url: `/v1/events?lessee_or_owner_id=${P.owner2}`, key: 'events', seen: [
    /* admin */ GONE_OTHER, /* owner: the filter is replaced by its own project */ GONE_LESSEE, /* owner2 */ GONE_OTHER,
    /* lessee */ GONE_LESSEE, /* childLessee */ [], /* otherLessee */ GONE_OTHER,
    /* ownerNoRole */ GONE_LESSEE, /* lesseeNoRole */ GONE_LESSEE, /* member */ GONE_OTHER,
    /* noProjectLessee */ [], /* noProjectOwner */ [], /* noProjectNoRole */ [],
    /* noProjectAdmin */ GONE_OTHER, /* noIdentity */ GONE_OTHER] },
  'GET /v1/nodes': { url: '/v1/nodes', key: 'nodes', seen: CALLERS.map(() => NODES) },
} satisfies Record<string, ListRow>;
export type ListName = keyof typeof CONTENTS;

/**
 * Cells where the service answers otherwise than the table. Each stays as written in the
 * table; its case runs as a failing case, with what the service does instead.
 */
export const DISAGREEMENTS: ReadonlyArray<{ route: string; caller: Caller; list: boolean; service: string }> = [];

/** Creates the list fixture through the API, as its owners and lessees would. */
export async function seedFixture(t: TestApp): Promise<Fixture> {
  t.nodes.add('c-n1', { owner: P.owner, name: 'c-n1' });
  t.nodes.add('c-n2', { owner: P.owner2, name: 'c-n2' });
  t.nodes.add('c-n3', { owner: P.owner, lessee: P.lessee, name: 'c-n3' });
  const names = new Map<string, string>();
  const make = async (persona: Persona, url: string, body: Record<string, unknown>) => {
    const res = await t.as(persona).post(url).send(body);
    if (res.status !== 201) throw new Error(`${url} as ${persona}: ${res.status} ${JSON.stringify(res.body)}`);
    names.set(res.body.uuid as string, body.name as string);
    return res.body.uuid as string;
  };
  const window = (month: string) => ({ start_time: `2040-${month}-01`, end_time: `2040-${month}-05` });
  const open = await make('owner', '/v1/offers', { name: 'o-open', resource_uuid: 'c-n1', ...window('01') });
  await make('owner', '/v1/offers', { name: 'o-lessee', resource_uuid: 'c-n1', lessee_id: P.lessee, ...window('02') });
  await make('owner2', '/v1/offers', { name: 'o-other', resource_uuid: 'c-n2', lessee_id: P.other, ...window('01') });
  await make('owner2', '/v1/offers', { name: 'o-child', resource_uuid: 'c-n2', lessee_id: P.child, ...window('02') });
  await make('owner', '/v1/leases', { name: 'l-lessee', resource_uuid: 'c-n1', project_id: P.lessee, ...window('05') });
  await make('owner2', '/v1/leases', { name: 'l-other', resource_uuid: 'c-n2', project_id: P.other, ...window('05') });
  await make('childLessee', `/v1/offers/${open}/claim`, {
    name: 'l-child',
    start_time: '2040-01-02',
    end_time: '2040-01-03',
  });
  const goneLessee = await make('owner', '/v1/leases', {
    name: 'l-gone-lessee',
    resource_uuid: 'c-n1',
    project_id: P.lessee,
    ...window('06'),
  });
  const goneOther = await make('owner2', '/v1/leases', {
    name: 'l-gone-other',
    resource_uuid: 'c-n2',
    project_id: P.other,
    ...window('06'),
  });
  for (const [persona, uuid] of [
    ['owner', goneLessee],
    ['owner2', goneOther],
  ] as const) {
    const res = await t.as(persona).delete(`/v1/leases/${uuid}`);
    if (res.status !== 200) throw new Error(`cancel as ${persona}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return {
    nameOf(item) {
      if (typeof item.event_type === 'string') {
        return `${names.get(String(item.object_uuid)) ?? String(item.object_uuid)}:${item.event_type.replace('esi_leap.lease.', '')}`;
      }
      return String(item.name);
    },
  };
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

describe('nodes and events over the dummy and test drivers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /v1/nodes decorates nodes with current/future offers and created leases', async () => {
    t.nodes.add('inv-1', { owner: P.owner, lessee: P.lessee, leaseUuid: 'abc', resourceClass: 'baremetal', properties: { cpus: '40' } });
    t.nodes.add('inv-2', { owner: P.owner2, resourceClass: 'gpu' });
    const now = await t.as('owner').post('/v1/offers').send({ resource_uuid: 'inv-1', start_time: '2020-01-01', end_time: '2099-01-01' });
    expect(now.status).toBe(201);
    const res = await t.as('ownerNoRole').get('/v1/nodes');
    expect(res.status).toBe(200);
    const [n1, n2] = res.body.nodes;
    expect(Object.keys(n1)).toEqual([
      'name', 'owner', 'maintenance', 'provision_state', 'target_provision_state', 'power_state', 'target_power_state',
      'properties', 'resource_class', 'uuid', 'offer_uuid', 'lease_uuid', 'lessee', 'future_offers', 'future_leases',
    ]);
    expect(n1).toMatchObject({ uuid: 'inv-1', owner: 'owner', lessee: 'lessee', maintenance: 'False', offer_uuid: now.body.uuid, lease_uuid: 'abc', future_offers: [], future_leases: [] });
    expect(n2).not.toHaveProperty('offer_uuid');
    expect(n2).not.toHaveProperty('lease_uuid');
    expect((await t.as('admin').get('/v1/nodes?resource_class=gpu')).body.nodes.map((n: any) => n.uuid)).toEqual(['inv-2']);
    expect((await t.as('admin').get('/v1/nodes?owner=owner2')).body.nodes.map((n: any) => n.uuid)).toEqual(['inv-2']);
    const unknown = await t.as('admin').get('/v1/nodes?lessee=nosuch');
    expect(unknown.status).toBe(400);
    expect(unknown.body.faultstring).toBe('No project named nosuch.');
    expect((await t.as('admin').get('/v1/nodes?name=n1')).body.faultstring).toBe('Unknown argument: "name"');
  });

  it('GET /v1/events: int cursor, non-admins forced to their project', async () => {
    t.nodes.add('ev-1', { owner: P.owner });
    const l = await t.as('owner').post('/v1/leases').send({ resource_uuid: 'ev-1', project_id: P.lessee, start_time: '2030-01-01', end_time: '2030-01-02' });
    await t.as('owner').delete(`/v1/leases/${l.body.uuid}`).expect(200);
    const all = (await t.as('admin').get('/v1/events')).body.events;
    const ids = all.map((e: any) => e.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    const after = (await t.as('admin').get(`/v1/events?last_event_id=${ids[0]}`)).body.events;
    expect(after.map((e: any) => e.id)).toEqual(ids.slice(1));
    const bad = await t.as('admin').get('/v1/events?last_event_id=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.faultstring).toBe(
      "Invalid input for field/attribute last_event_id. Value: 'abc'. unable to convert to int. Error: invalid literal for int() with base 10: 'abc'",
    );
    const forced = (await t.as('otherLessee').get(`/v1/events?lessee_or_owner_id=${P.lessee}`)).body.events;
    expect(forced).toEqual([]);
    const own = (await t.as('lessee').get('/v1/events?resource_uuid=ev-1')).body.events;
    expect(own).toHaveLength(2);
  });

  it('dummy nodes: files read at use time; lease cancel cleans the node file', async () => {
    mkdirSync(t.dummyNodeDir, { recursive: true });
    const file = path.join(t.dummyNodeDir, 'dn-1');
    writeFileSync(file, JSON.stringify({ project_owner_id: P.owner, resource_class: 'dummy', properties: { ram: 1 } }));
    const offer = await t.as('owner').post('/v1/offers').send({ resource_type: 'dummy_node', resource_uuid: 'dn-1' });
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({ resource: 'dummy-node-dn-1', resource_class: 'dummy', resource_properties: { ram: 1 } });
    const missing = await t.as('owner').post('/v1/offers').send({ resource_type: 'dummy_node', resource_uuid: 'dn-404' });
    expect(missing.status).toBe(404);
    const escape = await t.as('admin').post('/v1/offers').send({ resource_type: 'dummy_node', resource_uuid: '../etc' });
    expect(escape.status).toBe(404);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ project_owner_id: P.owner, resource_class: 'dummy', properties: { ram: 1 } });
  });
});

import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

/** noauth mode, with policy enforced on the header identity (docs/decisions.md, "Identity and policy"). */
describe('identity without Keystone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('no identity headers: the configured default project with the admin role', async () => {
    t.nodes.add('noauth-1', { owner: P.owner });
    const offer = await t.http().post('/v1/offers').send({ resource_uuid: 'noauth-1', start_time: '2030-01-01', end_time: '2030-03-01' });
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({ project_id: P.admin, project: 'admin' });
    const claim = await t.http().post(`/v1/offers/${offer.body.uuid}/claim`).send({ start_time: '2030-01-01', end_time: '2030-01-29' });
    expect(claim.status).toBe(201);
  });

  it('identity headers without a project cannot create', async () => {
    const res = await t.http().post('/v1/offers').set({ 'X-Roles': 'admin' }).send({ resource_uuid: 'noauth-1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ faultcode: 'Client', faultstring: "Field `project_id' cannot be None", debuginfo: null });
  });

  it('roles match case-insensitively and X-Tenant-Id stands in for X-Project-Id', async () => {
    const res = await t.http().get('/v1/leases').set({ 'X-Tenant-Id': P.lessee, 'X-Roles': 'Lessee' });
    expect(res.status).toBe(200);
  });

  it('the node owner cannot lease directly inside a period already leased', async () => {
    t.nodes.add('noauth-2', { owner: P.owner });
    const first = await t.as('owner').post('/v1/leases').send({ resource_uuid: 'noauth-2', project_id: P.lessee, start_time: '2031-01-01', end_time: '2031-01-10' });
    expect(first.status).toBe(201);
    const second = await t.as('owner').post('/v1/leases').send({ resource_uuid: 'noauth-2', project_id: P.other, start_time: '2031-01-05', end_time: '2031-01-06' });
    expect(second.status).toBe(409);
    expect(second.body.faultstring).toBe('Time conflict for test_node noauth-2.');
  });
});

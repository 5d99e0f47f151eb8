import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

/** Sub-offers and sub-leases by the node's current lessee (docs/decisions.md, "Leasing rules"). */
describe.each(testDatabaseKinds())('sub-leasing on %s', (kind) => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  /** A node owned by `owner`, leased to `lessee` by an active parent lease 2030-01-01 → 2030-01-20. */
  async function leasedNode(): Promise<{ node: string; parent: string }> {
    const node = `snode-${++seq}`;
    t.nodes.add(node, { owner: P.owner });
    const res = await t.as('owner').post('/v1/leases').send({
      resource_uuid: node,
      project_id: P.lessee,
      start_time: '2030-01-01',
      end_time: '2030-01-20',
    });
    expect(res.status).toBe(201);
    await t.dataSource.query("UPDATE leases SET status = 'active' WHERE uuid = ?", [res.body.uuid]);
    Object.assign(t.nodes.nodes.get(node)!, { leaseUuid: res.body.uuid, lessee: P.lessee });
    return { node, parent: res.body.uuid };
  }

  const asLesseeOwner = () => {
    // The node's lessee project acting with the owner role (sub-lessor).
    const headers = { 'X-Project-Id': P.lessee, 'X-Roles': 'owner' };
    return {
      post: (url: string) => t.http().post(url).set(headers),
      del: (url: string) => t.http().delete(url).set(headers),
    };
  };

  it('the node lessee offers inside its lease window: a sub-offer', async () => {
    const { node, parent } = await leasedNode();
    const res = await asLesseeOwner().post('/v1/offers').send({ resource_uuid: node, start_time: '2030-01-05', end_time: '2030-01-10' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ parent_lease_uuid: parent, project_id: P.lessee });
  });

  it('defaults inside a parent: no end → the parent end', async () => {
    const { node, parent } = await leasedNode();
    const res = await asLesseeOwner().post('/v1/offers').send({ resource_uuid: node, start_time: '2030-01-05' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ parent_lease_uuid: parent, end_time: '2030-01-20T00:00:00' });
  });

  it('a window outside the parent → 403 ResourceNoPermissionTime', async () => {
    const { node } = await leasedNode();
    const res = await asLesseeOwner().post('/v1/offers').send({ resource_uuid: node, start_time: '2030-01-05', end_time: '2030-03-01' });
    expect(res.status).toBe(403);
    expect(res.body.faultstring).toBe(
      `You do not have permissions on test_node ${node} for the time range 2030-01-05 00:00:00 - 2030-03-01 00:00:00.`,
    );
  });

  it('overlapping sub-offers conflict with 409; lessee role cannot offer', async () => {
    const { node, parent } = await leasedNode();
    await asLesseeOwner().post('/v1/offers').send({ resource_uuid: node, start_time: '2030-01-05', end_time: '2030-01-10' }).expect(201);
    const res = await asLesseeOwner().post('/v1/offers').send({ resource_uuid: node, start_time: '2030-01-08', end_time: '2030-01-12' });
    expect(res.status).toBe(409);
    expect(res.body.faultstring).toBe(
      `Lease ${parent} has no availabilities at given time range 2030-01-08 00:00:00, 2030-01-12 00:00:00.`,
    );
    const lesseeRole = await t.as('lessee').post('/v1/offers').send({ resource_uuid: node });
    expect(lesseeRole.body.faultstring).toBe('Access was denied to esi_leap:offer:create.');
  });

  it('a sub-lessee cannot sub-lease again; the parent must be active', async () => {
    const { node } = await leasedNode();
    const sub = await asLesseeOwner().post('/v1/leases').send({ resource_uuid: node, project_id: P.other, start_time: '2030-01-05', end_time: '2030-01-06' });
    expect(sub.status).toBe(201);
    Object.assign(t.nodes.nodes.get(node)!, { leaseUuid: sub.body.uuid, lessee: P.other });
    const again = await t
      .http()
      .post('/v1/leases')
      .set({ 'X-Project-Id': P.other, 'X-Roles': 'owner' })
      .send({ resource_uuid: node, project_id: P.child, start_time: '2030-01-05', end_time: '2030-01-06' });
    expect(again.status).toBe(403);
    expect(again.body.faultstring).toBe(`Access was denied to test_node ${node}.`);

    const { node: n2, parent } = await leasedNode();
    await t.dataSource.query("UPDATE leases SET status = 'created' WHERE uuid = ?", [parent]);
    const inactive = await asLesseeOwner().post('/v1/offers').send({ resource_uuid: n2, start_time: '2030-01-05', end_time: '2030-01-06' });
    expect(inactive.status).toBe(409);
    expect(inactive.body.faultstring).toBe(`Lease with name or uuid ${parent} not active.`);
  });

  it('cancelling the parent cancels its sub-lease and sub-offer and clears the node', async () => {
    const { node, parent } = await leasedNode();
    const subOffer = (await asLesseeOwner().post('/v1/offers').send({ resource_uuid: node, start_time: '2030-01-12', end_time: '2030-01-18' })).body;
    const subLease = (await asLesseeOwner().post('/v1/leases').send({ resource_uuid: node, project_id: P.other, start_time: '2030-01-05', end_time: '2030-01-06' })).body;
    const claimed = (await t.as('childLessee').post(`/v1/offers/${subOffer.uuid}/claim`).send({ start_time: '2030-01-13', end_time: '2030-01-14' })).body;
    expect(claimed.parent_lease_uuid).toBe(parent);
    expect(claimed.owner_id).toBe(P.lessee);

    expect((await t.as('owner').delete(`/v1/leases/${parent}`)).status).toBe(200);
    const status = async (table: string, uuid: string) =>
      (await t.dataSource.query(`SELECT status FROM ${table} WHERE uuid = ?`, [uuid]))[0].status;
    expect(await status('leases', parent)).toBe('deleted');
    expect(await status('leases', subLease.uuid)).toBe('deleted');
    expect(await status('leases', claimed.uuid)).toBe('deleted');
    expect(await status('offers', subOffer.uuid)).toBe('deleted');
    expect(t.nodes.nodes.get(node)).toMatchObject({ leaseUuid: null, lessee: null });
  });
});

import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { P } from '../support/projects';
import { IronicFaultProxy } from './ironic-fault-proxy';
import {
  describeWithIronic,
  IronicAdmin,
  IRONIC_START_TIMEOUT_MS,
  SeededNode,
  seedNodes,
  startIronic,
} from './ironic-service';
import { createIronicTestApp, IronicTestApp } from './ironic-test-app';

const at = (t: string) => `${t.replace('T', ' ')}.000000` as UtcTime;

/**
 * Leases on real Ironic nodes (fake hardware): what the manager and the API leave on the node
 * after fulfil, expiry, cancel and a sub-lease hand-back, and a retry after a
 * failure half-way through the clean-up, which upstream could not resume.
 */
describeWithIronic('ironic_node leases against a real Ironic', () => {
  let ironic: IronicAdmin;
  let proxy: IronicFaultProxy;
  let t: IronicTestApp;
  let nodes: SeededNode[];
  const clock = new ManualClock(at('2031-01-01T00:00:00'));

  beforeAll(async () => {
    const url = await startIronic();
    ironic = new IronicAdmin(url);
    proxy = new IronicFaultProxy(url);
    const proxied = await proxy.start();
    nodes = await seedNodes(5, [P.owner]);
    t = await createIronicTestApp(proxied, clock);
  }, IRONIC_START_TIMEOUT_MS);

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
  });

  beforeEach(() => clock.set(at('2031-01-01T00:00:00')));

  /** The owner leases the node (by name) to `project` for two weeks of January 2031; the manager fulfils it. */
  async function fulfilledLease(node: SeededNode, project: string = P.lessee): Promise<string> {
    const res = await t.as('owner').post('/v1/leases').send({
      resource_uuid: node.name,
      project_id: project,
      start_time: '2031-01-01T00:00:00',
      end_time: '2031-01-15T00:00:00',
    });
    expect([res.status, res.body.faultstring]).toEqual([201, undefined]);
    expect(res.body).toMatchObject({ resource_type: 'ironic_node', resource_uuid: node.uuid, status: 'created' });
    await t.jobs.fulfillDueLeases();
    await expectStatus(res.body.uuid, 'active');
    return res.body.uuid as string;
  }

  async function expectStatus(lease: string, status: string): Promise<void> {
    const res = await t.as('admin').get(`/v1/leases/${lease}`);
    expect(res.body.status).toBe(status);
  }

  /** Nothing of the lease is left on the node. */
  function expectReleased(node: Awaited<ReturnType<IronicAdmin['node']>>): void {
    expect(node.lessee).toBeNull();
    expect(node.properties).not.toHaveProperty('lease_uuid');
    expect(node.properties).toMatchObject({ cpus: 16 });
    expect(node.instance_info).toEqual({});
    expect(node.extra).toEqual({});
    expect(node.console_enabled).toBe(false);
    expect(node.owner).toBe(P.owner);
  }

  it('fulfil sets lessee and properties/lease_uuid; expiry undeploys the active node and clears it', async () => {
    const node = nodes[0];
    const lease = await fulfilledLease(node);
    expect(await ironic.node(node.uuid)).toMatchObject({
      lessee: P.lessee,
      properties: { lease_uuid: lease, cpus: 16 },
      owner: P.owner,
    });

    await ironic.deployAsLessee(node.uuid);
    clock.set(at('2031-01-15T00:00:01'));
    await t.jobs.expireEndedLeases();
    await expectStatus(lease, 'expired');
    // The undeploy (provision target `deleted`) runs in Ironic: deleting → available.
    expectReleased(await ironic.settled(node.uuid, 'available'));
    expect(proxy.requests).toContainEqual({ method: 'PUT', path: `/v1/nodes/${node.uuid}/states/provision` });
  });

  it('cancel through the API clears an available node; its VIFs are detached instead of an undeploy', async () => {
    const node = nodes[1];
    const lease = await fulfilledLease(node);
    await ironic.call('PATCH', `/v1/nodes/${node.uuid}`, [
      { op: 'add', path: '/extra', value: { note: 'lessee data' } },
    ]);
    const before = proxy.requests.length;

    const res = await t.as('owner').delete(`/v1/leases/${lease}`);
    expect(res.status).toBe(200);
    await expectStatus(lease, 'deleted');
    const after = await ironic.node(node.uuid);
    expectReleased(after);
    expect(after.provision_state).toBe('available');
    const calls = proxy.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(calls).toContain(`GET /v1/nodes/${node.uuid}/vifs`);
    expect(calls).not.toContain(`PUT /v1/nodes/${node.uuid}/states/provision`);
  });

  it('the owner check uses the node’s real Ironic owner', async () => {
    const res = await t.as('owner2').post('/v1/leases').send({ resource_uuid: nodes[2].uuid, project_id: P.lessee });
    expect(res.status).toBe(403);
    const unknown = await t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: 'no-such-node-name', project_id: P.lessee });
    expect(unknown.status).toBe(404);
    expect(unknown.body.faultstring).toBe(
      'Encountered an error fetching info for node no-such-node-name (ironic_node): Node no-such-node-name could not be found.',
    );
  });

  it('a sub-lease ending hands the node back to the parent lessee', async () => {
    const node = nodes[3];
    const parent = await fulfilledLease(node);
    const sub = await t.with({ 'X-Project-Id': P.lessee, 'X-Roles': 'owner' }).post('/v1/leases').send({
      resource_uuid: node.uuid,
      project_id: P.other,
      start_time: '2031-01-01T00:00:00',
      end_time: '2031-01-10T00:00:00',
    });
    expect(sub.status).toBe(201);
    expect(sub.body.parent_lease_uuid).toBe(parent);
    await t.jobs.fulfillDueLeases();
    expect(await ironic.node(node.uuid)).toMatchObject({ lessee: P.other, properties: { lease_uuid: sub.body.uuid } });

    clock.set(at('2031-01-10T00:00:01'));
    await t.jobs.expireEndedLeases();
    await expectStatus(sub.body.uuid, 'expired');
    await expectStatus(parent, 'active');
    expect(await ironic.node(node.uuid)).toMatchObject({ lessee: P.lessee, properties: { lease_uuid: parent } });
  });

  it('a failure half-way through the clean-up leaves the lease on the node; the retry finishes the job', async () => {
    const node = nodes[4];
    const lease = await fulfilledLease(node);
    await ironic.deployAsLessee(node.uuid);
    // Console off and the undeploy go through; the final PATCH (lessee, lease_uuid, …) fails.
    proxy.failNext('PATCH', new RegExp(`^/v1/nodes/${node.uuid}$`));
    clock.set(at('2031-01-15T00:00:01'));
    await t.jobs.expireEndedLeases();
    await expectStatus(lease, 'wait expire');
    const half = await ironic.settled(node.uuid, 'available');
    expect(half.console_enabled).toBe(false);
    expect(half).toMatchObject({ lessee: P.lessee, properties: { lease_uuid: lease } });

    clock.set(at('2031-01-15T01:00:00')); // past the retry back-off
    await t.jobs.expireEndedLeases();
    await expectStatus(lease, 'expired');
    expectReleased(await ironic.node(node.uuid));
  });
});

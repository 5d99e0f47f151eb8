import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DummyNodeDriver } from '../../src/drivers/dummy-node.driver';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

/**
 * The dummy driver's node N is the file `<dir>/N`. Its own hidden spare files (`.N.spare`)
 * and any other hidden file are not nodes: an offer or lease on one would be a second identity
 * of node N that no conflict check links to it. A missing node reads as upstream's error did,
 * without the server's directory.
 */
describe('dummy_node ids', () => {
  let t: TestApp;
  const notFound = (id: string) => ({
    faultcode: 'Client',
    faultstring: `Encountered an error fetching info for node ${id} (dummy_node): [Errno 2] No such file or directory: '${id}'`,
    debuginfo: null,
  });

  beforeAll(async () => {
    t = await createTestApp();
    mkdirSync(t.dummyNodeDir, { recursive: true });
    writeFileSync(path.join(t.dummyNodeDir, 'dn-x'), JSON.stringify({ project_owner_id: P.owner }));
    // One write by the driver leaves the node's hidden spare beside it.
    await t.app.get(DummyNodeDriver).setLease('dn-x', { uuid: 'lease-x', projectId: P.lessee });
    await t.app.get(DummyNodeDriver).removeLease('dn-x', { uuid: 'lease-x', projectId: P.lessee });
    expect(readdirSync(t.dummyNodeDir).sort()).toEqual(['.dn-x.spare', 'dn-x']);
  });
  afterAll(() => t.close());

  it('a hidden spare file is not a node: offers, leases and filters on it are a 404', async () => {
    const offer = await t
      .as('admin')
      .post('/v1/offers')
      .send({ resource_type: 'dummy_node', resource_uuid: '.dn-x.spare' });
    expect(offer.status).toBe(404);
    expect(offer.body).toEqual(notFound('.dn-x.spare'));
    const lease = await t
      .as('admin')
      .post('/v1/leases')
      .send({ resource_type: 'dummy_node', resource_uuid: '.dn-x.spare', project_id: P.lessee });
    expect(lease.status).toBe(404);
    expect(lease.body).toEqual(notFound('.dn-x.spare'));
    const list = await t.as('admin').get('/v1/leases?resource_type=dummy_node&resource_uuid=.dn-x.spare');
    expect(list.status).toBe(404);
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM offers'))[0].n)).toBe(0);
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM leases'))[0].n)).toBe(0);
    // The node itself is offered as usual.
    const real = await t.as('owner').post('/v1/offers').send({ resource_type: 'dummy_node', resource_uuid: 'dn-x' });
    expect(real.status).toBe(201);
  });

  it("a missing node is reported in upstream's words without the server's path", async () => {
    const res = await t.as('owner').post('/v1/offers').send({ resource_type: 'dummy_node', resource_uuid: 'dn-404' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(notFound('dn-404'));
    expect(res.text).not.toContain(t.dummyNodeDir);
  });
});

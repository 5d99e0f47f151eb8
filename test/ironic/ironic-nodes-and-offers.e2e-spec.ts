import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { P } from '../support/projects';
import { IronicFaultProxy } from './ironic-fault-proxy';
import {
  describeWithIronic,
  IronicAdmin,
  IRONIC_MAX_LIMIT,
  IRONIC_START_TIMEOUT_MS,
  SeededNode,
  seedNodes,
  startIronic,
} from './ironic-service';
import { createIronicTestApp, IronicTestApp } from './ironic-test-app';

/**
 * `GET /v1/nodes` and offers on a real Ironic whose `[api] max_limit` is tiny, so every list
 * esi-leap makes is paginated (upstream read one page and silently truncated large fleets).
 */
describeWithIronic('nodes and offers against a real Ironic', () => {
  let ironic: IronicAdmin;
  let proxy: IronicFaultProxy;
  let t: IronicTestApp;
  /** A project of our own, so the owner filter selects exactly the nodes seeded here. */
  const fleetOwner = randomBytes(16).toString('hex');
  let fleet: SeededNode[];
  let owned: SeededNode;
  const clock = new ManualClock('2031-03-01 00:00:00.000000' as UtcTime);

  beforeAll(async () => {
    const url = await startIronic();
    ironic = new IronicAdmin(url);
    proxy = new IronicFaultProxy(url);
    const proxied = await proxy.start();
    [fleet, [owned]] = await Promise.all([seedNodes(5, [fleetOwner], 1), seedNodes(1, [P.owner])]);
    t = await createIronicTestApp(proxied, clock);
  }, IRONIC_START_TIMEOUT_MS);

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
  });

  it('lists every node across Ironic pages, with the fields esi-leap shows', async () => {
    const before = proxy.requests.length;
    const res = await t.as('admin').get(`/v1/nodes?owner=${fleetOwner}`);
    expect(res.status).toBe(200);
    const listed = res.body.nodes as { name: string; provision_state: string }[];
    // Ironic's order (by its internal id) follows creation, which the seeding does in parallel.
    expect(listed.map((n) => n.name).sort()).toEqual(fleet.map((n) => n.name).sort());
    const pages = proxy.requests.slice(before).filter((r) => r.method === 'GET' && r.path.startsWith('/v1/nodes?'));
    expect(pages).toHaveLength(Math.ceil(fleet.length / IRONIC_MAX_LIMIT));
    expect(pages.slice(1).every((p) => p.path.includes('&marker='))).toBe(true);
    expect(listed.find((n) => n.name === fleet[0].name)).toEqual({
      name: fleet[0].name,
      owner: '',
      maintenance: 'False',
      provision_state: 'active',
      target_provision_state: null,
      power_state: 'power off',
      target_power_state: null,
      properties: { cpus: 16, memory_mb: 65536, local_gb: 500, cpu_arch: 'x86_64' },
      resource_class: 'baremetal',
      uuid: fleet[0].uuid,
      lessee: '',
      future_offers: [],
      future_leases: [],
    });
    const others = listed.filter((n) => n.name !== fleet[0].name).map((n) => n.provision_state);
    expect(others).toEqual(Array(4).fill('available'));
  });

  it('an offer on an Ironic node is claimed, fulfilled, and shown on the node', async () => {
    const offer = await t.as('owner').post('/v1/offers').send({
      resource_uuid: owned.name,
      start_time: '2031-03-01T00:00:00',
      end_time: '2031-03-20T00:00:00',
    });
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({ resource_uuid: owned.uuid, resource: owned.name, resource_class: 'baremetal' });

    const claim = await t
      .as('lessee')
      .post(`/v1/offers/${offer.body.uuid}/claim`)
      .send({ end_time: '2031-03-10T00:00:00' });
    expect(claim.status).toBe(201);
    await t.jobs.fulfillDueLeases();
    expect(await ironic.node(owned.uuid)).toMatchObject({
      lessee: P.lessee,
      properties: { lease_uuid: claim.body.uuid },
    });

    // The offer list is decorated from one cached node list, invalidated by the fulfilment.
    const offers = await t.as('owner').get('/v1/offers?status=available');
    expect(offers.body.offers.find((o: { uuid: string }) => o.uuid === offer.body.uuid)).toMatchObject({
      resource: owned.name,
    });
    const nodes = await t.as('admin').get(`/v1/nodes?owner=${P.owner}`);
    expect(nodes.body.nodes.find((n: { uuid: string }) => n.uuid === owned.uuid)).toMatchObject({
      owner: 'owner',
      lessee: 'lessee',
      lease_uuid: claim.body.uuid,
      offer_uuid: offer.body.uuid,
    });
  });
});

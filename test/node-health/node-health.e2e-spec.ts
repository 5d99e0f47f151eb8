import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { BookingService } from '../../src/leasing/booking/booking.service';
import { LeaseLifecycle } from '../../src/leasing/lifecycle/lease-lifecycle';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { NodeHealthEffects } from '../../src/node-health/effects/node-health-effects';
import { NodeHealthReconciler } from '../../src/node-health/reconcile/node-health-reconciler';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { TestNode } from '../support/test-node.driver';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;

/**
 * Node health's effects through the whole application (API and manager in-process, the
 * test_node driver standing in for Ironic, a clock the tests move): what an unhealthy, a
 * recovered, a vanished and a re-owned node mean for bookings, flags, events and the views.
 * The reconcile is called directly; the notification path reaches the same effects
 * (ironic-node-health.e2e-spec.ts runs it against a real Ironic).
 */
describe.each(testDatabaseKinds())('node health on %s', (kind) => {
  let t: TestApp;
  let jobs: ManagerJobs;
  let reconcile: () => Promise<unknown>;
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ kind, clock, manager: 'jobs' });
    jobs = t.app.get(ManagerJobs);
    const reconciler = t.app.get(NodeHealthReconciler);
    reconcile = () => reconciler.reconcile();
  });
  afterAll(() => t.close());
  beforeEach(() => clock.set(at('2030-01-01T00:00:00')));

  const node = (extra: TestNode = {}) => {
    const uuid = `nh-${kind}-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner, resourceClass: 'baremetal', ...extra });
    return uuid;
  };
  const set = (uuid: string, changes: Partial<TestNode>) => Object.assign(t.nodes.nodes.get(uuid)!, changes);
  const offer = async (
    resource: string,
    start = '2030-01-01T00:00:00',
    end = '2030-03-01T00:00:00',
    persona: 'owner' | 'admin' = 'owner',
  ) => {
    const res = await t
      .as(persona)
      .post('/v1/offers')
      .send({ resource_uuid: resource, start_time: start, end_time: end });
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const claim = (offerUuid: string, start: string, end: string) =>
    t.as('lessee').post(`/v1/offers/${offerUuid}/claim`).send({ start_time: start, end_time: end });
  const claimed = async (offerUuid: string, start: string, end: string) => {
    const res = await claim(offerUuid, start, end);
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const directLease = (resource: string, start: string, end: string) =>
    t
      .as('owner')
      .post('/v1/leases')
      .send({ resource_uuid: resource, project_id: P.lessee, start_time: start, end_time: end });
  const lease = async (uuid: string) => (await t.as('admin').get(`/v1/leases/${uuid}`)).body;
  const offerStatus = async (uuid: string) =>
    (await t.dataSource.query('SELECT status FROM offers WHERE uuid = ?', [uuid]))[0].status as string;
  const events = async (uuid: string) =>
    (await t.dataSource.query('SELECT event_type FROM events WHERE object_uuid = ? ORDER BY id', [uuid])).map(
      (e: { event_type: string }) => e.event_type,
    );

  describe('a node in maintenance', () => {
    let n: string;
    let healthyNode: string;
    let o: string;
    let healthyOffer: string;
    let active: string;
    let future: string;

    beforeAll(async () => {
      clock.set(at('2030-01-01T00:00:00'));
      n = node();
      healthyNode = node();
      o = await offer(n);
      healthyOffer = await offer(healthyNode);
      active = await claimed(o, '2030-01-01T00:00:00', '2030-01-10T00:00:00');
      future = await claimed(o, '2030-02-01T00:00:00', '2030-02-10T00:00:00');
      await jobs.fulfillDueLeases();
      expect((await lease(active)).status).toBe('active');
      set(n, { maintenance: true, maintenanceReason: 'disk replacement' });
      await reconcile();
    });

    it('refuses a claim with 409 naming the node and the reason', async () => {
      const res = await claim(o, '2030-01-20T00:00:00', '2030-01-25T00:00:00');
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        faultcode: 'Client',
        faultstring: `Node ${n} (test_node) cannot be leased now: maintenance: disk replacement.`,
        debuginfo: null,
      });
    });

    it('refuses a direct lease the same way, while leases on a healthy node go through', async () => {
      const res = await directLease(n, '2030-04-01T00:00:00', '2030-04-05T00:00:00');
      expect(res.status).toBe(409);
      expect(res.body.faultstring).toBe(`Node ${n} (test_node) cannot be leased now: maintenance: disk replacement.`);
      expect((await directLease(healthyNode, '2030-04-01T00:00:00', '2030-04-05T00:00:00')).status).toBe(201);
      expect((await claim(healthyOffer, '2030-01-20T00:00:00', '2030-01-25T00:00:00')).status).toBe(201);
    });

    it('refuses a group booking as a whole when one member is on it', async () => {
      const booking = t.app.get(BookingService);
      const before = (await t.dataSource.query('SELECT COUNT(*) AS c FROM leases'))[0].c;
      const member = (resourceUuid: string) => ({
        name: null,
        projectId: P.lessee,
        ownerId: P.owner,
        purpose: null,
        resourceType: 'test_node',
        resourceUuid,
        start: at('2030-05-01T00:00:00'),
        end: at('2030-05-02T00:00:00'),
        properties: {},
        offerUuid: null,
        parentLeaseUuid: null,
      });
      const spare = node();
      await expect(booking.createLeases([member(spare), member(n)])).rejects.toMatchObject({
        status: 409,
        message: `Node ${n} (test_node) cannot be leased now: maintenance: disk replacement.`,
      });
      expect((await t.dataSource.query('SELECT COUNT(*) AS c FROM leases'))[0].c).toEqual(before);
    });

    it('flags its active and future leases, with one esi_leap.lease.degraded event each', async () => {
      for (const uuid of [active, future]) {
        const view = await lease(uuid);
        expect(view).toMatchObject({ degraded: true, degraded_reason: 'maintenance: disk replacement' });
        expect(Object.keys(view).slice(-3)).toEqual(['parent_lease_uuid', 'degraded', 'degraded_reason']);
        expect((await events(uuid)).filter((e: string) => e === 'esi_leap.lease.degraded')).toHaveLength(1);
      }
      const listed = (await t.as('lessee').get('/v1/leases')).body.leases as { uuid: string; degraded: boolean }[];
      const flags = new Map(listed.map((l) => [l.uuid, l.degraded]));
      expect([flags.get(active), flags.get(future)]).toEqual([true, true]);
      expect([...flags.values()].filter(Boolean)).toHaveLength(2);
    });

    it('shows its offer without availabilities and leaves it out of an availability search', async () => {
      expect((await t.as('lessee').get(`/v1/offers/${o}`)).body.availabilities).toEqual([]);
      const search = await t
        .as('lessee')
        .get('/v1/offers?available_start_time=2030-02-15T00:00:00&available_end_time=2030-02-16T00:00:00');
      const found = search.body.offers.map((x: { uuid: string }) => x.uuid);
      expect(found).toContain(healthyOffer);
      expect(found).not.toContain(o);
      const listed = (await t.as('lessee').get('/v1/offers')).body.offers.find((x: { uuid: string }) => x.uuid === o);
      expect(listed.availabilities).toEqual([]);
    });

    it('still lets its owner publish an offer on it', async () => {
      const other = node({ maintenance: true });
      await offer(other);
      await reconcile();
      expect(
        (
          await t
            .as('owner')
            .post('/v1/offers')
            .send({ resource_uuid: other, start_time: '2031-01-01', end_time: '2031-02-01' })
        ).status,
      ).toBe(201);
    });

    it('writes nothing more when seen again (duplicates are harmless)', async () => {
      const count = async () =>
        (await t.dataSource.query("SELECT COUNT(*) AS c FROM events WHERE event_type LIKE 'esi_leap.lease.%ed'"))[0].c;
      const before = await count();
      await reconcile();
      await t.app.get(NodeHealthEffects).apply({
        ref: { resourceType: 'test_node', resourceUuid: n },
        observedAt: clock.now(),
        source: 'current',
        kind: 'present',
        reading: {
          maintenance: true,
          maintenanceReason: 'disk replacement',
          provisionState: 'available',
          fault: null,
          owner: P.owner,
          resourceClass: 'baremetal',
        },
      });
      expect(await count()).toEqual(before);
    });

    it('recovers: flags cleared with esi_leap.lease.recovered, claims accepted again', async () => {
      set(n, { maintenance: false, maintenanceReason: null });
      await reconcile();
      for (const uuid of [active, future]) {
        expect(await lease(uuid)).toMatchObject({ degraded: false, degraded_reason: null });
        expect((await events(uuid)).slice(-1)).toEqual(['esi_leap.lease.recovered']);
      }
      await reconcile();
      expect((await events(active)).filter((e: string) => e === 'esi_leap.lease.recovered')).toHaveLength(1);
      expect((await claim(o, '2030-01-20T00:00:00', '2030-01-25T00:00:00')).status).toBe(201);
      expect((await t.as('lessee').get(`/v1/offers/${o}`)).body.availabilities).not.toEqual([]);
    });

    it('ignores a notification payload older than what is recorded (out of order)', async () => {
      await t.app.get(NodeHealthEffects).apply({
        ref: { resourceType: 'test_node', resourceUuid: n },
        observedAt: at('2029-12-31T23:59:00'),
        source: 'payload',
        kind: 'present',
        reading: {
          maintenance: true,
          maintenanceReason: 'stale',
          provisionState: 'available',
          fault: null,
          owner: P.owner,
          resourceClass: 'baremetal',
        },
      });
      expect(await lease(future)).toMatchObject({ degraded: false });
      expect((await claim(o, '2030-02-15T00:00:00', '2030-02-16T00:00:00')).status).toBe(201);
    });
  });

  it('flags for a fault and for a failed provision state, each with its reason', async () => {
    const faulty = node();
    const failed = node();
    const leases = [];
    for (const n of [faulty, failed])
      leases.push(await claimed(await offer(n), '2030-02-01T00:00:00', '2030-02-02T00:00:00'));
    set(faulty, { maintenance: true, fault: 'power failure' });
    set(failed, { provisionState: 'clean failed' });
    await reconcile();
    expect((await lease(leases[0])).degraded_reason).toBe('fault: power failure; maintenance');
    expect((await lease(leases[1])).degraded_reason).toBe('provision state: clean failed');
  });

  it('a node that no longer exists: its offers expire and its leases end with the usual events, nothing retried', async () => {
    const n = node();
    const o = await offer(n);
    const active = await claimed(o, '2030-01-01T00:00:00', '2030-01-10T00:00:00');
    const future = await claimed(o, '2030-02-01T00:00:00', '2030-02-10T00:00:00');
    await jobs.fulfillDueLeases();
    t.nodes.nodes.delete(n);
    const calls = t.nodes.calls.length;
    await reconcile();
    expect(await offerStatus(o)).toBe('expired');
    for (const uuid of [active, future]) {
      expect((await lease(uuid)).status).toBe('expired');
      expect((await events(uuid)).slice(-2)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
    }
    expect(t.nodes.calls.slice(calls)).toEqual([]);
    expect(
      await t.dataSource.query('SELECT * FROM lease_retries WHERE lease_uuid IN (?, ?)', [active, future]),
    ).toEqual([]);
    const before = (await t.dataSource.query('SELECT COUNT(*) AS c FROM events'))[0].c;
    await reconcile();
    await jobs.runAll();
    expect((await t.dataSource.query('SELECT COUNT(*) AS c FROM events'))[0].c).toEqual(before);
  });

  it('a node given to another owner: what the previous owner granted ends, the rest stays', async () => {
    const n = node();
    const ownersOffer = await offer(n, '2030-01-01T00:00:00', '2030-02-01T00:00:00');
    const adminsOffer = await offer(n, '2030-03-01T00:00:00', '2030-04-01T00:00:00', 'admin');
    const claim1 = await claimed(ownersOffer, '2030-01-01T00:00:00', '2030-01-05T00:00:00');
    const direct = (await directLease(n, '2030-02-10T00:00:00', '2030-02-20T00:00:00')).body.uuid as string;
    await jobs.fulfillDueLeases();
    await reconcile();
    set(n, { owner: P.owner2 });
    await reconcile();
    expect(await offerStatus(ownersOffer)).toBe('expired');
    expect(await offerStatus(adminsOffer)).toBe('available');
    expect((await lease(claim1)).status).toBe('expired');
    expect((await lease(direct)).status).toBe('expired');
    expect((await events(direct)).slice(-2)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
    const [row] = await t.dataSource.query(
      'SELECT owner, owner_handover_from FROM node_health WHERE resource_uuid = ?',
      [n],
    );
    expect(row).toEqual({ owner: P.owner2, owner_handover_from: null });
  });

  it('an owner hand-over interrupted by a crash is finished by the next observation', async () => {
    const n = node();
    const o = await offer(n);
    await reconcile();
    set(n, { owner: P.owner2 });
    const lifecycle = t.app.get(LeaseLifecycle);
    const spy = jest.spyOn(lifecycle, 'endEarly').mockRejectedValueOnce(new Error('killed'));
    await reconcile();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await offerStatus(o)).toBe('available');
    const [pending] = await t.dataSource.query('SELECT owner_handover_from FROM node_health WHERE resource_uuid = ?', [
      n,
    ]);
    expect(pending.owner_handover_from).toBe(P.owner);
    await reconcile();
    expect(await offerStatus(o)).toBe('expired');
    spy.mockRestore();
  });

  it('reads the health of dummy nodes from their files (embedded mode)', async () => {
    mkdirSync(t.dummyNodeDir, { recursive: true });
    const file = (doc: Record<string, unknown>) =>
      writeFileSync(path.join(t.dummyNodeDir, `dn-${kind}`), JSON.stringify(doc));
    file({ project_owner_id: P.owner, resource_class: 'baremetal', provision_state: 'available' });
    const res = await t
      .as('owner')
      .post('/v1/offers')
      .send({
        resource_type: 'dummy_node',
        resource_uuid: `dn-${kind}`,
        start_time: '2030-01-01',
        end_time: '2030-02-01',
      });
    expect(res.status).toBe(201);
    file({
      project_owner_id: P.owner,
      resource_class: 'baremetal',
      provision_state: 'available',
      maintenance: true,
      maintenance_reason: 'rack move',
    });
    await reconcile();
    const refused = await claim(res.body.uuid, '2030-01-02T00:00:00', '2030-01-03T00:00:00');
    expect(refused.status).toBe(409);
    expect(refused.body.faultstring).toBe(`Node dn-${kind} (dummy_node) cannot be leased now: maintenance: rack move.`);
  });
});

describe.each(testDatabaseKinds())('healing future leases on %s ([node_health] replace_future_leases)', (kind) => {
  let t: TestApp;
  let reconcile: () => Promise<unknown>;
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ kind, clock, manager: 'jobs', conf: '[node_health]\nreplace_future_leases = true' });
    const reconciler = t.app.get(NodeHealthReconciler);
    reconcile = () => reconciler.reconcile();
  });
  afterAll(() => t.close());

  const node = (extra: TestNode = {}) => {
    const uuid = `heal-${kind}-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner, resourceClass: 'baremetal', ...extra });
    return uuid;
  };
  const offer = async (resource: string, start: string, end: string, persona: 'owner' | 'owner2' = 'owner') => {
    const res = await t
      .as(persona)
      .post('/v1/offers')
      .send({ resource_uuid: resource, start_time: start, end_time: end });
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const claimed = async (offerUuid: string, start: string, end: string) => {
    const res = await t.as('lessee').post(`/v1/offers/${offerUuid}/claim`).send({ start_time: start, end_time: end });
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const lease = async (uuid: string) => (await t.as('admin').get(`/v1/leases/${uuid}`)).body;
  const events = async (uuid: string) =>
    (
      await t.dataSource.query('SELECT event_type, resource_uuid FROM events WHERE object_uuid = ? ORDER BY id', [uuid])
    ).map((e: { event_type: string; resource_uuid: string }) => [e.event_type, e.resource_uuid]);

  it('moves a future lease into the tightest free offer of the same owner and class on a healthy node', async () => {
    const sick = node();
    const wide = node();
    const tight = node();
    const otherClass = node({ resourceClass: 'gpu' });
    const inMaintenance = node({ maintenance: true });
    const otherOwner = node({ owner: P.owner2 });
    const busy = node();
    const source = await offer(sick, '2030-01-01T00:00:00', '2030-06-01T00:00:00');
    await offer(wide, '2030-01-01T00:00:00', '2030-12-01T00:00:00');
    const tightOffer = await offer(tight, '2030-02-01T00:00:00', '2030-04-01T00:00:00');
    await offer(otherClass, '2030-02-01T00:00:00', '2030-03-01T00:00:00');
    await offer(inMaintenance, '2030-02-01T00:00:00', '2030-03-01T00:00:00');
    await offer(otherOwner, '2030-02-01T00:00:00', '2030-03-01T00:00:00', 'owner2');
    const busyOffer = await offer(busy, '2030-02-01T00:00:00', '2030-03-15T00:00:00');
    await claimed(busyOffer, '2030-02-05T00:00:00', '2030-02-06T00:00:00');
    const future = await claimed(source, '2030-02-01T00:00:00', '2030-02-10T00:00:00');
    const active = await claimed(source, '2030-01-01T00:00:00', '2030-01-10T00:00:00');

    t.nodes.nodes.get(sick)!.maintenance = true;
    await reconcile();

    expect(await lease(future)).toMatchObject({
      resource_uuid: tight,
      offer_uuid: tightOffer,
      status: 'created',
      start_time: '2030-02-01T00:00:00',
      end_time: '2030-02-10T00:00:00',
      project_id: P.lessee,
      degraded: false,
    });
    expect(await events(future)).toEqual([
      ['esi_leap.lease.degraded', sick],
      ['esi_leap.lease.moved', tight],
      ['esi_leap.lease.recovered', tight],
    ]);
    // Started leases stay on their node, flagged.
    expect(await lease(active)).toMatchObject({ resource_uuid: sick, degraded: true });
    // The moved lease now occupies its new offer.
    const again = await t
      .as('lessee')
      .post(`/v1/offers/${tightOffer}/claim`)
      .send({ start_time: '2030-02-02T00:00:00', end_time: '2030-02-03T00:00:00' });
    expect(again.status).toBe(409);
  });

  it('leaves a future lease flagged where it is when no healthy free node matches', async () => {
    const sick = node({ resourceClass: 'rare' });
    const source = await offer(sick, '2030-01-01T00:00:00', '2030-06-01T00:00:00');
    const future = await claimed(source, '2030-03-01T00:00:00', '2030-03-10T00:00:00');
    t.nodes.nodes.get(sick)!.provisionState = 'deploy failed';
    await reconcile();
    expect(await lease(future)).toMatchObject({
      resource_uuid: sick,
      degraded: true,
      degraded_reason: 'provision state: deploy failed',
    });
    expect((await events(future)).map((e: string[]) => e[0])).toEqual(['esi_leap.lease.degraded']);

    const later = node({ resourceClass: 'rare' });
    const spare = await offer(later, '2030-02-01T00:00:00', '2030-04-01T00:00:00');
    await reconcile();
    expect(await lease(future)).toMatchObject({ resource_uuid: later, offer_uuid: spare, degraded: false });
  });

  it('moves a lease group member only to a node that meets the constraints the group was booked with', async () => {
    const cls = `heal-group-${kind}`;
    const sick = node({ resourceClass: cls, properties: { cpus: 64 } });
    const small = node({ resourceClass: cls, properties: { cpus: 16 } });
    await offer(sick, '2030-01-01T00:00:00', '2030-06-01T00:00:00');
    // The tightest free offer, but its node does not meet the group's constraint.
    await offer(small, '2030-02-01T00:00:00', '2030-03-01T00:00:00');
    const booked = await t
      .as('lessee')
      .post('/v1/lease_groups')
      .send({
        count: 1,
        resource_class: cls,
        constraints: ['cpus>=32'],
        start_time: '2030-02-10T00:00:00',
        end_time: '2030-02-20T00:00:00',
      });
    expect(booked.status).toBe(201);
    const member = booked.body.leases[0].uuid as string;
    expect(booked.body.leases[0].resource_uuid).toBe(sick);
    const big = node({ resourceClass: cls, properties: { cpus: 128 } });
    const bigOffer = await offer(big, '2030-01-01T00:00:00', '2030-12-01T00:00:00');

    t.nodes.nodes.get(sick)!.maintenance = true;
    await reconcile();

    expect(await lease(member)).toMatchObject({ resource_uuid: big, offer_uuid: bigOffer, degraded: false });
    const group = await t.as('lessee').get(`/v1/lease_groups/${booked.body.uuid}`);
    expect(group.body.leases.map((l: { uuid: string; resource_uuid: string }) => [l.uuid, l.resource_uuid])).toEqual([
      [member, big],
    ]);
  });
});

describe('reconcile when a driver reports every node missing', () => {
  it('ends nothing: the driver is more likely pointed at the wrong backend', async () => {
    const t = await createTestApp({
      kind: 'sqlite',
      manager: 'jobs',
      clock: new ManualClock(at('2030-01-01T00:00:00')),
    });
    try {
      const offers: string[] = [];
      for (const uuid of ['gone-1', 'gone-2', 'gone-3']) {
        t.nodes.add(uuid, { owner: P.owner });
        const res = await t
          .as('owner')
          .post('/v1/offers')
          .send({ resource_uuid: uuid, start_time: '2030-01-01', end_time: '2030-02-01' });
        offers.push(res.body.uuid);
      }
      t.nodes.nodes.clear();
      await t.app.get(NodeHealthReconciler).reconcile();
      const statuses = await t.dataSource.query(`SELECT status FROM offers WHERE uuid IN (?, ?, ?)`, offers);
      expect(statuses.map((s: { status: string }) => s.status)).toEqual(['available', 'available', 'available']);
    } finally {
      await t.close();
    }
  });
});

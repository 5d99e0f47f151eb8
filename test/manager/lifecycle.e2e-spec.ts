import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

const at = (iso: string) => `${iso.replace('T', ' ')}.000000` as UtcTime;

/**
 * The manager's lease and offer state machines (docs/decisions.md, "Manager"),
 * with a clock the tests move instead of sleeping.
 */
describe.each(testDatabaseKinds())('manager lifecycle on %s', (kind) => {
  let t: TestApp;
  let jobs: ManagerJobs;
  const clock = new ManualClock(at('2030-01-01T00:00:00'));
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({
      kind,
      clock,
      manager: 'jobs',
      conf: '[manager]\nmax_attempts = 3\nretry_backoff_base = 60\nretry_backoff_max = 600',
    });
    jobs = t.app.get(ManagerJobs);
  });
  afterAll(() => t.close());

  const node = () => {
    const uuid = `m-${kind}-${++seq}`;
    t.nodes.add(uuid, { owner: P.owner });
    return uuid;
  };
  const createLease = async (resource: string, start: string, end: string, persona: 'owner' | 'admin' = 'owner') => {
    const res = await t.as(persona).post('/v1/leases').send({ resource_uuid: resource, project_id: P.lessee, start_time: start, end_time: end });
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const row = async (uuid: string) =>
    (await t.dataSource.query('SELECT status, fulfill_time, expire_time FROM leases WHERE uuid = ?', [uuid]))[0];
  const eventTypes = async (uuid: string) =>
    (await t.dataSource.query('SELECT event_type FROM events WHERE object_uuid = ? ORDER BY id', [uuid])).map(
      (e: { event_type: string }) => e.event_type,
    );

  it('fulfils a due lease (inclusive start), skips a future one, then expires it at its end', async () => {
    clock.set(at('2030-01-01T00:00:00'));
    const n = node();
    const due = await createLease(n, '2030-01-01T00:00:00', '2030-01-05T00:00:00');
    const future = await createLease(node(), '2030-01-02T00:00:00', '2030-01-03T00:00:00');
    await jobs.fulfillDueLeases();
    expect(await row(due)).toMatchObject({ status: 'active' });
    expect(String((await row(due)).fulfill_time)).toMatch(/^2030-01-01 00:00:00/);
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: due, lessee: P.lessee });
    expect((await row(future)).status).toBe('created');
    expect(await eventTypes(due)).toEqual(['esi_leap.lease.fulfill.start', 'esi_leap.lease.fulfill.end']);

    await jobs.fulfillDueLeases();
    expect(t.nodes.calls.filter((c) => c.lease === due)).toHaveLength(1);

    clock.set(at('2030-01-05T00:00:00'));
    await jobs.expireEndedLeases();
    expect(await row(due)).toMatchObject({ status: 'expired' });
    expect(String((await row(due)).expire_time)).toMatch(/^2030-01-05 00:00:00/);
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: null, lessee: null });
    expect(await eventTypes(due)).toEqual([
      'esi_leap.lease.fulfill.start',
      'esi_leap.lease.fulfill.end',
      'esi_leap.lease.delete.start',
      'esi_leap.lease.delete.end',
    ]);
  });

  it('expires a created lease whose window passed without touching its node', async () => {
    clock.set(at('2030-02-01T00:00:00'));
    const n = node();
    const missed = await createLease(n, '2030-02-01T00:00:00', '2030-02-02T00:00:00');
    clock.set(at('2030-02-03T00:00:00'));
    await jobs.fulfillDueLeases();
    expect((await row(missed)).status).toBe('created');
    await jobs.expireEndedLeases();
    expect((await row(missed)).status).toBe('expired');
    expect(t.nodes.calls.filter((c) => c.uuid === n)).toEqual([]);
  });

  it('driver failures back off, retry, and end in error after max_attempts; error leases are cleaned at their end', async () => {
    clock.set(at('2030-03-01T00:00:00'));
    const n = node();
    const lease = await createLease(n, '2030-03-01T00:00:00', '2030-03-10T00:00:00');
    t.nodes.failNext(1);
    await jobs.fulfillDueLeases();
    expect((await row(lease)).status).toBe('wait fulfill');
    expect(await eventTypes(lease)).toEqual(['esi_leap.lease.fulfill.start', 'esi_leap.lease.fulfill.error']);

    await jobs.fulfillDueLeases();
    expect((await row(lease)).status).toBe('wait fulfill');
    expect(await eventTypes(lease)).toHaveLength(2);

    clock.set(at('2030-03-01T00:01:00'));
    await jobs.fulfillDueLeases();
    expect((await row(lease)).status).toBe('active');

    const failing = await createLease(node(), '2030-03-01T00:01:00', '2030-03-02T00:00:00');
    t.nodes.failNext(10);
    for (const minute of ['00:01', '00:02', '00:05']) {
      clock.set(at(`2030-03-01T${minute}:00`));
      await jobs.fulfillDueLeases();
    }
    t.nodes.failNext(0);
    expect((await row(failing)).status).toBe('error');
    const retries = await t.dataSource.query('SELECT attempts FROM lease_retries WHERE lease_uuid = ?', [failing]);
    expect(Number(retries[0].attempts)).toBe(3);

    // Upstream never expired `error` leases: an error lease that holds its node is still cleaned up at its end.
    const holder = node();
    const stuck = await createLease(holder, '2030-03-01T00:05:00', '2030-03-03T00:00:00');
    await jobs.fulfillDueLeases();
    await t.dataSource.query("UPDATE leases SET status = 'error' WHERE uuid = ?", [stuck]);
    clock.set(at('2030-03-03T00:00:00'));
    await jobs.expireEndedLeases();
    expect((await row(stuck)).status).toBe('expired');
    expect(t.nodes.nodes.get(holder)).toMatchObject({ leaseUuid: null });
  });

  it('fulfils many due leases in one run; a node that fails holds back only its own lease', async () => {
    clock.set(at('2032-01-01T00:00:00'));
    const nodes = Array.from({ length: 5 }, () => node());
    const leases: string[] = [];
    for (const n of nodes) leases.push(await createLease(n, '2032-01-01T00:00:00', '2032-01-02T00:00:00'));
    t.nodes.nodes.delete(nodes[2]);
    const setCalls = t.nodes.calls.length;

    expect(await jobs.fulfillDueLeases()).toBe(4);

    expect(await Promise.all(leases.map(async (l) => (await row(l)).status))).toEqual([
      'active',
      'active',
      'wait fulfill',
      'active',
      'active',
    ]);
    for (const [i, lease] of leases.entries()) {
      expect(await eventTypes(lease)).toEqual(
        i === 2
          ? ['esi_leap.lease.fulfill.start', 'esi_leap.lease.fulfill.error']
          : ['esi_leap.lease.fulfill.start', 'esi_leap.lease.fulfill.end'],
      );
      if (i !== 2) expect(t.nodes.nodes.get(nodes[i])).toMatchObject({ leaseUuid: lease, lessee: P.lessee });
    }
    expect(t.nodes.calls.slice(setCalls).map((c) => c.lease).sort()).toEqual(leases.filter((_, i) => i !== 2).sort());
    const retries = await t.dataSource.query('SELECT lease_uuid, attempts FROM lease_retries WHERE lease_uuid IN (?, ?)', [
      leases[2],
      leases[0],
    ]);
    expect(retries.map((r: { lease_uuid: string; attempts: unknown }) => [r.lease_uuid, Number(r.attempts)])).toEqual([[leases[2], 1]]);
  });

  it('expires many ended leases in one run: a failing node holds back only its own lease; a parent ends its child first', async () => {
    clock.set(at('2032-02-01T00:00:00'));
    const nodes = Array.from({ length: 4 }, () => node());
    const active = [];
    for (const n of nodes.slice(0, 3)) active.push(await createLease(n, '2032-02-01T00:00:00', '2032-02-02T00:00:00'));
    const parent = await createLease(nodes[3], '2032-02-01T00:00:00', '2032-02-02T00:00:00');
    await jobs.fulfillDueLeases();
    const child = await t.http().post('/v1/leases').set({ 'X-Project-Id': P.lessee, 'X-Roles': 'owner' })
      .send({ resource_uuid: nodes[3], project_id: P.other, start_time: '2032-02-01T12:00:00', end_time: '2032-02-02T00:00:00' });
    expect(child.status).toBe(201);
    const neverStarted = await createLease(node(), '2032-02-01T18:00:00', '2032-02-02T00:00:00');
    clock.set(at('2032-02-01T12:00:00'));
    await jobs.fulfillDueLeases();
    expect(t.nodes.nodes.get(nodes[3])).toMatchObject({ leaseUuid: child.body.uuid });
    t.nodes.failingNodes.add(nodes[1]);

    clock.set(at('2032-02-02T00:00:00'));
    await jobs.expireEndedLeases();
    t.nodes.failingNodes.clear();

    const statuses = async (uuids: string[]) => Promise.all(uuids.map(async (u) => (await row(u)).status));
    expect(await statuses([...active, parent, child.body.uuid, neverStarted])).toEqual([
      'expired',
      'wait expire',
      'expired',
      'expired',
      'expired',
      'expired',
    ]);
    expect(t.nodes.nodes.get(nodes[0])).toMatchObject({ leaseUuid: null, lessee: null });
    expect(t.nodes.nodes.get(nodes[1])).toMatchObject({ leaseUuid: active[1] });
    // The child ended with its parent: the node is not handed back to a parent that is ending.
    expect(t.nodes.nodes.get(nodes[3])).toMatchObject({ leaseUuid: null, lessee: null });
    expect(await eventTypes(active[1])).toEqual([
      'esi_leap.lease.fulfill.start',
      'esi_leap.lease.fulfill.end',
      'esi_leap.lease.delete.start',
      'esi_leap.lease.delete.error',
    ]);
    for (const lease of [active[0], parent, child.body.uuid]) {
      expect((await eventTypes(lease)).slice(-2)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
    }
    expect(await eventTypes(neverStarted)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
    const [retry] = await t.dataSource.query('SELECT attempts FROM lease_retries WHERE lease_uuid = ?', [active[1]]);
    expect(Number(retry.attempts)).toBe(1);
  });

  it('retries wait cancel leases until the node is released', async () => {
    clock.set(at('2030-04-01T00:00:00'));
    const n = node();
    const lease = await createLease(n, '2030-04-01T00:00:00', '2030-04-05T00:00:00');
    await jobs.fulfillDueLeases();
    t.nodes.failNext(1);
    await t.as('owner').delete(`/v1/leases/${lease}`).expect(200);
    expect((await row(lease)).status).toBe('wait cancel');
    clock.set(at('2030-04-01T00:02:00'));
    await jobs.finishEnds();
    expect((await row(lease)).status).toBe('deleted');
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: null });
  });

  it('a node that vanished has nothing to clean', async () => {
    clock.set(at('2030-05-01T00:00:00'));
    const n = node();
    const lease = await createLease(n, '2030-05-01T00:00:00', '2030-05-02T00:00:00');
    await jobs.fulfillDueLeases();
    t.nodes.nodes.delete(n);
    clock.set(at('2030-05-02T00:00:00'));
    await jobs.expireEndedLeases();
    expect((await row(lease)).status).toBe('expired');
  });

  it('expires offers at their end together with their leases', async () => {
    clock.set(at('2030-06-01T00:00:00'));
    const n = node();
    const offer = (await t.as('owner').post('/v1/offers').send({ resource_uuid: n, start_time: '2030-06-01', end_time: '2030-06-10' })).body;
    const claimed = (await t.as('lessee').post(`/v1/offers/${offer.uuid}/claim`).send({ start_time: '2030-06-01', end_time: '2030-06-20' }));
    expect(claimed.status).toBe(409);
    const lease = (await t.as('lessee').post(`/v1/offers/${offer.uuid}/claim`).send({ start_time: '2030-06-01', end_time: '2030-06-10' })).body.uuid;
    await jobs.fulfillDueLeases();
    clock.set(at('2030-06-10T00:00:00'));
    await jobs.expireEndedOffers();
    const [o] = await t.dataSource.query('SELECT status FROM offers WHERE uuid = ?', [offer.uuid]);
    expect(o.status).toBe('expired');
    expect((await row(lease)).status).toBe('expired');
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: null });
  });

  it('a parent lease expiring takes its sub-lease and sub-offer with it; the node ends clean', async () => {
    clock.set(at('2030-07-01T00:00:00'));
    const n = node();
    const parent = await createLease(n, '2030-07-01T00:00:00', '2030-07-10T00:00:00');
    await jobs.fulfillDueLeases();
    const sublessor = { 'X-Project-Id': P.lessee, 'X-Roles': 'owner' };
    const child = await t.http().post('/v1/leases').set(sublessor).send({ resource_uuid: n, project_id: P.other, start_time: '2030-07-02', end_time: '2030-07-04' });
    expect(child.status).toBe(201);
    const subOffer = await t.http().post('/v1/offers').set(sublessor).send({ resource_uuid: n, start_time: '2030-07-05', end_time: '2030-07-08' });
    expect(subOffer.status).toBe(201);

    clock.set(at('2030-07-02T00:00:00'));
    await jobs.fulfillDueLeases();
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: child.body.uuid, lessee: P.other });
    clock.set(at('2030-07-04T00:00:00'));
    await jobs.expireEndedLeases();
    // The child ended inside the parent's window: the node goes back to the parent lessee.
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: parent, lessee: P.lessee });

    clock.set(at('2030-07-10T00:00:00'));
    await jobs.expireEndedLeases();
    expect((await row(parent)).status).toBe('expired');
    const [o] = await t.dataSource.query('SELECT status FROM offers WHERE uuid = ?', [subOffer.body.uuid]);
    expect(o.status).toBe('expired');
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: null, lessee: null });
  });

  it('does not hand the node back to a parent that is no longer active', async () => {
    clock.set(at('2030-08-01T00:00:00'));
    const n = node();
    const parent = await createLease(n, '2030-08-01T00:00:00', '2030-08-10T00:00:00');
    await jobs.fulfillDueLeases();
    const child = await t.http().post('/v1/leases').set({ 'X-Project-Id': P.lessee, 'X-Roles': 'owner' })
      .send({ resource_uuid: n, project_id: P.other, start_time: '2030-08-01', end_time: '2030-08-03' });
    await jobs.fulfillDueLeases();
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: child.body.uuid });
    await t.dataSource.query("UPDATE leases SET status = 'deleted' WHERE uuid = ?", [parent]);
    clock.set(at('2030-08-03T00:00:00'));
    await jobs.expireEndedLeases();
    expect(t.nodes.nodes.get(n)).toMatchObject({ leaseUuid: null, lessee: null });
  });

  it('compare-and-set: a lease cancelled meanwhile stays cancelled', async () => {
    clock.set(at('2030-09-01T00:00:00'));
    const lease = await createLease(node(), '2030-09-01T00:00:00', '2030-09-02T00:00:00');
    await t.as('owner').delete(`/v1/leases/${lease}`).expect(200);
    await jobs.fulfillDueLeases();
    expect((await row(lease)).status).toBe('deleted');
  });

  it('knows when the next lease or offer becomes due', async () => {
    clock.set(at('2031-01-01T00:00:00'));
    await createLease(node(), '2031-01-01T00:30:00', '2031-01-02T00:00:00');
    expect(await jobs.nextDueTime()).toBe(at('2031-01-01T00:30:00'));
    // A lease that became due while a run was under way: the time is already past, so the
    // scheduler runs again at once rather than at the next sweep.
    clock.set(at('2031-01-01T00:30:05'));
    expect(await jobs.nextDueTime()).not.toBe(at('2031-01-01T00:30:00'));
    expect(await jobs.nextDueTime(at('2031-01-01T00:29:59'))).toBe(at('2031-01-01T00:30:00'));
  });
});

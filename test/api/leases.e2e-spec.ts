import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

const fault = (faultstring: string) => ({ faultcode: 'Client', faultstring, debuginfo: null });

describe.each(testDatabaseKinds())('leases API on %s', (kind) => {
  let t: TestApp;
  let seq = 0;
  const node = (owner: string = P.owner) => {
    const uuid = `lnode-${++seq}`;
    t.nodes.add(uuid, { owner, resourceClass: 'baremetal' });
    return uuid;
  };
  const lease = async (body: Record<string, unknown>, persona: 'owner' | 'admin' = 'owner') => {
    const res = await t.as(persona).post('/v1/leases').send(body);
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  };

  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  describe('create', () => {
    it('creates on the caller-owned node; owner_id is the caller', async () => {
      const n = node();
      const l = await lease({ resource_uuid: n, project_id: 'lessee', start_time: '2030-01-01' });
      expect(l).toMatchObject({ owner_id: P.owner, project_id: P.lessee, project: 'lessee', owner: 'owner', status: 'created' });
      expect(l.end_time).toBe('2030-01-08T00:00:00');
      const admin = await lease({ resource_uuid: node(P.owner2), project_id: P.lessee, start_time: '2030-01-01', end_time: '2030-01-29' }, 'admin');
      expect(admin.owner_id).toBe(P.admin);
    });

    it.each([
      [{ resource_uuid: 'x' }, "Invalid input for field/attribute project_id. Value: 'None'. Mandatory field missing."],
      [{ project_id: P.lessee }, "Invalid input for field/attribute resource_uuid. Value: 'None'. Mandatory field missing."],
      [{ resource_uuid: 'x', project_id: P.lessee, owner_id: P.owner }, "Invalid input for field/attribute owner_id. Value: 'b0000000000000000000000000000002'. Cannot set read only field."],
      [{ resource_uuid: 'x', project_id: P.lessee, offer_uuid: null }, "Invalid input for field/attribute offer_uuid. Value: 'None'. Cannot set read only field."],
    ])('rejects %j with 400', async (body, message) => {
      const res = await t.as('owner').post('/v1/leases').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fault(message));
    });

    it('403 for the lessee role, 400 for an unknown project name, 403 beyond max length', async () => {
      const n = node();
      const lesseeRes = await t.as('lessee').post('/v1/leases').send({ resource_uuid: n, project_id: P.lessee });
      expect(lesseeRes.status).toBe(403);
      expect(lesseeRes.body).toEqual(fault('Access was denied to esi_leap:lease:create.'));
      const noProject = await t.as('owner').post('/v1/leases').send({ resource_uuid: n, project_id: 'nosuch' });
      expect(noProject.status).toBe(400);
      expect(noProject.body.faultstring).toBe('No project named nosuch.');
      const far = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 19);
      const tooLong = await t.as('owner').post('/v1/leases').send({ resource_uuid: n, project_id: P.lessee, end_time: far });
      expect(tooLong.status).toBe(403);
    });

    it('an available offer in the window blocks a direct lease; touching is fine', async () => {
      const n = node();
      await t.as('owner').post('/v1/offers').send({ resource_uuid: n, start_time: '2031-01-10', end_time: '2031-01-20' }).expect(201);
      const res = await t.as('owner').post('/v1/leases').send({ resource_uuid: n, project_id: P.lessee, start_time: '2031-01-15', end_time: '2031-01-16' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(fault(`Time conflict for test_node ${n}.`));
      await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2031-01-20', end_time: '2031-01-25' });
    });
  });

  describe('list', () => {
    it('default scope is the caller as lessee or owner; view=all needs admin', async () => {
      const n = node();
      const mine = await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2032-01-01', end_time: '2032-01-02' });
      const uuids = async (persona: 'owner' | 'lessee' | 'otherLessee' | 'admin', qs = '') =>
        (await t.as(persona).get(`/v1/leases?resource_uuid=${n}${qs}`)).body.leases?.map((l: any) => l.uuid);
      expect(await uuids('owner')).toEqual([mine.uuid]);
      expect(await uuids('lessee')).toEqual([mine.uuid]);
      expect(await uuids('otherLessee')).toEqual([]);
      expect(await uuids('admin')).toEqual([]);
      expect(await uuids('admin', '&view=all')).toEqual([mine.uuid]);
      expect(await uuids('admin', '&view=foo')).toEqual([]);

      const viewAll = await t.as('owner').get('/v1/leases?view=all');
      expect(viewAll.status).toBe(403);
      expect(viewAll.body).toEqual(fault('Access was denied to esi_leap:lease:lease_admin.'));
      expect((await t.as('lessee').get(`/v1/leases?owner_id=${P.owner}`)).status).toBe(403);
      expect((await t.as('owner').get(`/v1/leases?owner_id=${P.owner}&project_id=${P.other}`)).status).toBe(200);
      expect((await t.as('owner').get(`/v1/leases?project_id=${P.lessee}`)).status).toBe(403);
      expect((await t.as('lessee').get(`/v1/leases?project_id=${P.lessee.toUpperCase()}`)).status).toBe(403);
      expect((await t.as('member').get('/v1/leases')).body).toEqual(fault('Access was denied to esi_leap:lease:get_all.'));
    });

    it('time window is a closed intersection; exact-match purpose filter', async () => {
      const n = node();
      const a = await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2033-01-10', end_time: '2033-01-12', purpose: 'ci' });
      await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2033-01-01', end_time: '2033-01-08' });
      const c = await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2033-01-08', end_time: '2033-01-10' });
      const res = await t.as('owner').get(`/v1/leases?resource_uuid=${n}&start_time=2033-01-10&end_time=2033-01-11`);
      expect(res.body.leases.map((l: any) => l.uuid)).toEqual([a.uuid, c.uuid]);
      const purpose = await t.as('owner').get(`/v1/leases?resource_uuid=${n}&purpose=ci`);
      expect(purpose.body.leases.map((l: any) => l.uuid)).toEqual([a.uuid]);
      const equal = await t.as('owner').get('/v1/leases?start_time=2033-01-10&end_time=2033-01-10');
      expect(equal.status).toBe(400);
      expect(equal.body.faultstring).toBe(
        'Attempted to get a lease resource without providing both a valid Start Time and End Time. Start Time must be strictly less than End Time. Got 2033-01-10 00:00:00, 2033-01-10 00:00:00.',
      );
    });
  });

  describe('show', () => {
    it('lessee project members without roles may see it; others 403; duplicates 409', async () => {
      const l = await lease({ resource_uuid: node(), project_id: P.lessee, name: 'dupl', start_time: '2034-01-01', end_time: '2034-01-02' });
      expect((await t.as('lesseeNoRole').get(`/v1/leases/${l.uuid}`)).status).toBe(200);
      const denied = await t.as('otherLessee').get(`/v1/leases/${l.uuid}`);
      expect(denied.body).toEqual(fault(`Access was denied to lease ${l.uuid}.`));
      expect((await t.as('lessee').get('/v1/leases/dupl')).body.uuid).toBe(l.uuid);
      await lease({ resource_uuid: node(), project_id: P.lessee, name: 'dupl', start_time: '2034-01-01', end_time: '2034-01-02' });
      const dup = await t.as('admin').get('/v1/leases/dupl');
      expect(dup.status).toBe(409);
      expect(dup.body.faultstring).toBe('Duplicate leases with name dupl.');
      const missing = await t.as('admin').get('/v1/leases/765aa6ae-7e38-4112-8342-92a45eeebec5');
      expect(missing.status).toBe(404);
      expect(missing.body.faultstring).toBe('Lease with name or uuid 765aa6ae-7e38-4112-8342-92a45eeebec5 not found.');
    });
  });

  describe('patch end_time', () => {
    it('admin only; only end_time; dict only; strict format; order', async () => {
      const l = await lease({ resource_uuid: node(), project_id: P.lessee, start_time: '2035-01-01', end_time: '2035-01-05' });
      const url = `/v1/leases/${l.uuid}`;
      expect((await t.as('owner').patch(url).send({ end_time: '2035-01-06T00:00:00' })).body).toEqual(
        fault(`Access was denied to lease ${l.uuid}.`),
      );
      for (const body of [{ name: 'x' }, {}, { end_time: '2035-01-06T00:00:00', name: 'x' }]) {
        const res = await t.as('admin').patch(url).send(body);
        expect(res.status).toBe(400);
        expect(res.body.faultstring).toBe('Only the end_time field may be updated');
      }
      const arr = await t.as('admin').patch(url).send([{ op: 'replace', path: '/end_time', value: 'x' }]);
      expect(arr.status).toBe(400);
      expect(arr.body.faultstring).toMatch(/^Invalid input for field\/attribute patch\. /);
      for (const bad of ['2030-01-09', '2035-01-06T00:00:00Z', '2035-01-06T00:00:00.5']) {
        const res = await t.as('admin').patch(url).send({ end_time: bad });
        expect(res.status).toBe(400);
        expect(res.body.faultstring).toBe(`time data '${bad}' does not match format '%Y-%m-%dT%H:%M:%S'`);
      }
      const num = await t.as('admin').patch(url).send({ end_time: 5 });
      expect(num.body.faultstring).toBe('strptime() argument 1 must be str, not int');
      const before = await t.as('admin').patch(url).send({ end_time: '2034-12-31T00:00:00' });
      expect(before.status).toBe(400);
      expect(before.body.faultstring).toBe(
        'Attempted to create lease resource with an invalid Start Time and End Time. Start Time must be strictly less than End Time. Got 2035-01-01 00:00:00, 2034-12-31 00:00:00.',
      );
      const ok = await t.as('admin').patch(url).send({ end_time: '2035-01-06T00:00:00' });
      expect(ok.status).toBe(200);
      expect(ok.body.end_time).toBe('2035-01-06T00:00:00');
      const rows = await t.dataSource.query('SELECT end_time FROM leases WHERE uuid = ?', [l.uuid]);
      expect(String(rows[0].end_time)).toMatch(/^2035-01-06 00:00:00(\.0+)?$/);
    });

    it('extension checks: conflict, touching, deleted offer, shorten', async () => {
      const n = node();
      const a = await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2036-01-01', end_time: '2036-01-05' });
      await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2036-01-10', end_time: '2036-01-15' });
      const conflict = await t.as('admin').patch(`/v1/leases/${a.uuid}`).send({ end_time: '2036-01-11T00:00:00' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.faultstring).toBe(`Time conflict for test_node ${n}.`);
      expect((await t.as('admin').patch(`/v1/leases/${a.uuid}`).send({ end_time: '2036-01-10T00:00:00' })).status).toBe(200);
      expect((await t.as('admin').patch(`/v1/leases/${a.uuid}`).send({ end_time: '2036-01-03T00:00:00' })).status).toBe(200);

      const o = (await t.as('owner').post('/v1/offers').send({ resource_uuid: node(), start_time: '2036-01-01', end_time: '2036-02-01' })).body;
      const claimed = (await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2036-01-01', end_time: '2036-01-05' })).body;
      await t.as('owner').delete(`/v1/offers/${o.uuid}`).expect(200);
      const res = await t.as('admin').patch(`/v1/leases/${claimed.uuid}`).send({ end_time: '2036-01-07T00:00:00' });
      expect(res.status).toBe(409);
      expect(res.body.faultstring).toBe(`Offer ${o.uuid} does not have status "available". Got offer status "deleted".`);
    });
  });

  describe('cancel', () => {
    it('owner project may cancel; deleted is 404; rows and events change', async () => {
      const n = node();
      const l = await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2037-01-01', end_time: '2037-01-02' });
      const res = await t.as('ownerNoRole').delete(`/v1/leases/${l.uuid}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('null');
      const [row] = await t.dataSource.query('SELECT status, expire_time FROM leases WHERE uuid = ?', [l.uuid]);
      expect(row.status).toBe('deleted');
      expect(row.expire_time).not.toBeNull();
      const events = await t.as('admin').get(`/v1/events?resource_uuid=${n}`);
      expect(events.body.events.map((e: any) => e.event_type)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
      expect(events.body.events[0]).toMatchObject({ object_type: 'lease', object_uuid: l.uuid, lessee_id: P.lessee, owner_id: P.owner });
      const again = await t.as('owner').delete(`/v1/leases/${l.uuid}`);
      expect(again.status).toBe(404);
      expect(again.body.faultstring).toBe(`Lease with name or uuid ${l.uuid} not found.`);
    });

    it('a node holding the lease is released; a driver failure leaves wait cancel', async () => {
      const n = node();
      const l = await lease({ resource_uuid: n, project_id: P.lessee, start_time: '2038-01-01', end_time: '2038-01-02' });
      t.nodes.nodes.get(n)!.leaseUuid = l.uuid;
      t.nodes.nodes.get(n)!.lessee = P.lessee;
      t.nodes.failNext(1);
      expect((await t.as('owner').delete(`/v1/leases/${l.uuid}`)).status).toBe(200);
      expect((await t.as('admin').get(`/v1/leases/${l.uuid}`)).body.status).toBe('wait cancel');
      expect(t.nodes.nodes.get(n)!.leaseUuid).toBe(l.uuid);
      expect((await t.as('owner').delete(`/v1/leases/${l.uuid}`)).status).toBe(404);
    });
  });
});

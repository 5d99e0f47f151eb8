import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';

const fault = (faultstring: string) => ({ faultcode: 'Client', faultstring, debuginfo: null });

describe.each(testDatabaseKinds())('offers API on %s', (kind) => {
  let t: TestApp;
  let seq = 0;
  const node = (owner: string = P.owner, extra: Record<string, unknown> = {}) => {
    const uuid = `node-${++seq}`;
    t.nodes.add(uuid, { owner, resourceClass: 'baremetal', properties: { cpus: '40', lease_uuid: 'x' }, ...extra });
    return uuid;
  };
  const offer = async (body: Record<string, unknown>, persona: 'owner' | 'admin' | 'owner2' = 'owner') => {
    const res = await t.as(persona).post('/v1/offers').send(body);
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  };

  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  describe('create', () => {
    it('creates with defaults and answers every attribute in upstream order', async () => {
      const n = node();
      const res = await t.as('owner').post('/v1/offers').send({ resource_uuid: n, name: 'o-defaults' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual([
        'name', 'uuid', 'project_id', 'project', 'lessee_id', 'lessee', 'resource_type', 'resource_uuid',
        'resource', 'resource_class', 'resource_properties', 'start_time', 'end_time', 'status', 'properties',
        'availabilities', 'parent_lease_uuid',
      ]);
      expect(res.body).toMatchObject({
        name: 'o-defaults',
        project_id: P.owner,
        project: 'owner',
        lessee_id: null,
        lessee: '',
        resource_type: 'test_node',
        resource_uuid: n,
        resource: `test-node-${n}`,
        resource_class: 'baremetal',
        resource_properties: { cpus: '40', lease_uuid: 'x' },
        end_time: '9999-12-31T23:59:59.999999',
        status: 'available',
        properties: {},
        parent_lease_uuid: null,
      });
      expect(res.body.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.body.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
      expect(res.body.availabilities).toHaveLength(1);
      const rows = await t.dataSource.query('SELECT status, project_id, properties FROM offers WHERE uuid = ?', [res.body.uuid]);
      expect(rows).toEqual([{ status: 'available', project_id: P.owner, properties: '{}' }]);
    });

    it('converts offsets to UTC and accepts space and date-only forms', async () => {
      const a = await offer({ resource_uuid: node(), start_time: '2033-05-01T00:00:00+05:00', end_time: '2033-06-01T00:00:00Z' });
      expect([a.start_time, a.end_time]).toEqual(['2033-04-30T19:00:00', '2033-06-01T00:00:00']);
      const b = await offer({ resource_uuid: node(), start_time: '2034-05-01 10:00', end_time: '2034-05-20' });
      expect([b.start_time, b.end_time]).toEqual(['2034-05-01T10:00:00', '2034-05-20T00:00:00']);
      const c = await offer({ resource_uuid: node(), start_time: '2031-01-01T00:00:00.123456789', end_time: '2031-02-01T00:00:00' });
      expect(c.start_time).toBe('2031-01-01T00:00:00.123456');
      const d = await offer({ resource_uuid: node(), start_time: '2035-01-01T00:00:00+05:00' });
      expect(d.start_time).toBe('2034-12-31T19:00:00');
    });

    it.each([
      [{}, 'Invalid input for field/attribute resource_uuid. Value: \'None\'. Mandatory field missing.'],
      [{ resource_uuid: 'n', status: 'available' }, "Invalid input for field/attribute status. Value: 'available'. Cannot set read only field."],
      [{ resource_uuid: 'n', uuid: null }, "Invalid input for field/attribute uuid. Value: 'None'. Cannot set read only field."],
      [{ resource_uuid: 'n', foo: 1 }, 'Unknown attribute for argument new_offer: foo'],
      [{ resource_uuid: 'n', foo: 1, bar: 2 }, 'Unknown attributes for argument new_offer: foo, bar'],
      [{ resource_uuid: 'n', name: 5 }, "Invalid input for field/attribute name. Value: '5'. Wrong type. Expected '<class 'str'>', got '<class 'int'>'"],
      [{ resource_uuid: 'n', properties: 'x' }, "Invalid input for field/attribute new_offer. Value: '{'resource_uuid': 'n', 'properties': 'x'}'. Value not a valid dict: str"],
      [{ resource_uuid: 'n', start_time: 1234567890 }, "Invalid input for field/attribute new_offer. Value: '{'resource_uuid': 'n', 'start_time': 1234567890}'. Parser must be a string or character stream, not int"],
      [{ resource_uuid: 'n', start_time: 'garbage' }, "Invalid input for field/attribute new_offer. Value: '{'resource_uuid': 'n', 'start_time': 'garbage'}'. Unknown string format: garbage"],
      [[1, 2], "Invalid input for field/attribute new_offer. Value: '[1, 2]'. Value not a valid dict: list"],
    ])('rejects body %j with 400 and changes nothing', async (body, message) => {
      const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM offers');
      const res = await t.as('owner').post('/v1/offers').send(body as object);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fault(message));
      expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM offers')).toEqual(before);
    });

    it('empty body → 400 Missing argument', async () => {
      const res = await t.as('owner').post('/v1/offers').set('Content-Type', 'application/json');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fault('Missing argument: "new_offer"'));
    });

    it('start == end → 400 InvalidTimeRange', async () => {
      const res = await t.as('owner').post('/v1/offers').send({ resource_uuid: node(), start_time: '2030-05-01', end_time: '2030-05-01' });
      expect(res.status).toBe(400);
      expect(res.body.faultstring).toBe(
        'Attempted to create an offer resource with an invalid Start Time and End Time. Start Time must be strictly less than End Time. Got 2030-05-01 00:00:00, 2030-05-01 00:00:00.',
      );
    });

    it('overlapping offers and leases conflict with 409, touching ones do not', async () => {
      const n = node();
      await offer({ resource_uuid: n, start_time: '2040-01-01', end_time: '2040-02-01' });
      const overlap = await t.as('owner').post('/v1/offers').send({ resource_uuid: n, start_time: '2040-01-15', end_time: '2040-03-01' });
      expect(overlap.status).toBe(409);
      expect(overlap.body).toEqual(fault(`Time conflict for test_node ${n}.`));
      await offer({ resource_uuid: n, start_time: '2040-02-01', end_time: '2040-03-01' });

      const m = node();
      const lease = await t.as('owner').post('/v1/leases').send({ resource_uuid: m, project_id: P.lessee, start_time: '2041-01-01', end_time: '2041-01-05' });
      expect(lease.status).toBe(201);
      const blocked = await t.as('owner').post('/v1/offers').send({ resource_uuid: m, start_time: '2041-01-04', end_time: '2041-02-01' });
      expect(blocked.status).toBe(409);
    });

    it('owner of another node → 403; lessee role → 403; member → 403', async () => {
      const n = node(P.owner2);
      const res = await t.as('owner').post('/v1/offers').send({ resource_uuid: n });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(fault(`Access was denied to test_node ${n}.`));
      const lessee = await t.as('lessee').post('/v1/offers').send({ resource_uuid: n });
      expect(lessee.status).toBe(403);
      expect(lessee.body).toEqual(fault('Access was denied to esi_leap:offer:create.'));
    });

    it('admin may offer any node; an unknown resource is 404 for everyone', async () => {
      const foreign = await offer({ resource_uuid: node(P.owner2) }, 'admin');
      expect(foreign.project_id).toBe(P.admin);
      for (const persona of ['admin', 'owner'] as const) {
        const res = await t.as(persona).post('/v1/offers').send({ resource_uuid: 'no-such-node' });
        expect(res.status).toBe(404);
        expect(res.body.faultstring).toBe('Encountered an error fetching info for node no-such-node (test_node): Node not found');
      }
    });

    it('unknown resource type → 400; lessee_id by name, empty name, null', async () => {
      const bogus = await t.as('owner').post('/v1/offers').send({ resource_uuid: node(), resource_type: 'bogus' });
      expect(bogus.status).toBe(400);
      expect(bogus.body.faultstring).toBe('bogus resource type unknown.');
      const byName = await offer({ resource_uuid: node(), lessee_id: 'lessee' });
      expect([byName.lessee_id, byName.lessee]).toEqual([P.lessee, 'lessee']);
      const empty = await t.as('owner').post('/v1/offers').send({ resource_uuid: node(), lessee_id: '' });
      expect(empty.status).toBe(400);
      expect(empty.body.faultstring).toBe('No project named .');
      const none = await offer({ resource_uuid: node(), lessee_id: null, start_time: null, end_time: null });
      expect(none.lessee_id).toBeNull();
      expect(none.end_time).toBe('9999-12-31T23:59:59.999999');
    });

    it('a lessee_id that is an unknown project id is stored and shown as ""', async () => {
      const o = await offer({ resource_uuid: node(), lessee_id: 'e0000000000000000000000000000099' });
      expect([o.lessee_id, o.lessee]).toEqual(['e0000000000000000000000000000099', '']);
    });

    it('ignores resource_class and resource_properties in the body', async () => {
      const o = await offer({ resource_uuid: node(), resource_class: 'x', resource_properties: { a: 1 } });
      expect(o.resource_class).toBe('baremetal');
    });
  });

  describe('list', () => {
    it('filters by status, type, project', async () => {
      const n = node();
      const o = await offer({ resource_uuid: n, start_time: '2050-01-01', end_time: '2050-02-01' });
      await t.as('owner').delete(`/v1/offers/${o.uuid}`).expect(200);
      const def = await t.as('admin').get(`/v1/offers?resource_uuid=${n}`);
      expect(def.body).toEqual({ offers: [] });
      const any = await t.as('admin').get(`/v1/offers?resource_uuid=${n}&status=any`);
      expect(any.body.offers.map((x: any) => [x.uuid, x.status, x.availabilities])).toEqual([[o.uuid, 'deleted', []]]);
      expect((await t.as('admin').get('/v1/offers?status=bogus')).body).toEqual({ offers: [] });
      expect((await t.as('admin').get('/v1/offers?resource_type=bogus')).body).toEqual({ offers: [] });
      const badType = await t.as('admin').get('/v1/offers?resource_uuid=abc&resource_type=bogus');
      expect(badType.status).toBe(400);
      expect(badType.body.faultstring).toBe('bogus resource type unknown.');
      const noProject = await t.as('admin').get('/v1/offers?project_id=nosuch');
      expect(noProject.status).toBe(400);
      expect(noProject.body.faultstring).toBe('No project named nosuch.');
      const byName = await t.as('admin').get(`/v1/offers?project_id=owner&status=any&resource_uuid=${n}`);
      expect(byName.body.offers).toHaveLength(1);
    });

    it.each([
      ['start_time=2020-01-01', 'Attempted to get an offer resource without providing both a valid Start Time and End Time. Start Time must be strictly less than End Time. Got 2020-01-01 00:00:00, None.'],
      ['start_time=2020-01-02&end_time=2020-01-01', 'Attempted to get an offer resource without providing both a valid Start Time and End Time. Start Time must be strictly less than End Time. Got 2020-01-02 00:00:00, 2020-01-01 00:00:00.'],
      ['available_start_time=2020-01-01', 'Attempted to get an offer resource without providing both a valid Availability Start Time and Availability End Time. Availability Start Time must be strictly less than Availability End Time. Got 2020-01-01 00:00:00, None.'],
      ['foo=bar', 'Unknown argument: "foo"'],
      ['start_time=garbage&end_time=2020-01-01', "Invalid input for field/attribute start_time. Value: 'garbage'. unable to convert to datetime. Error: Unknown string format: garbage"],
    ])('GET /v1/offers?%s → 400', async (qs, message) => {
      const res = await t.as('admin').get(`/v1/offers?${qs}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fault(message));
    });

    it('treats empty typed values as absent', async () => {
      expect((await t.as('admin').get('/v1/offers?start_time=&end_time=')).status).toBe(200);
    });

    it('403 for a user without owner/lessee/admin role', async () => {
      const res = await t.as('member').get('/v1/offers');
      expect(res.status).toBe(403);
      expect(res.body).toEqual(fault('Access was denied to esi_leap:offer:get_all.'));
    });

    it('lessees see unrestricted offers, their own and those restricted to an ancestor', async () => {
      const n1 = node();
      const open = await offer({ resource_uuid: n1, start_time: '2060-01-01', end_time: '2060-02-01' });
      const forLessee = await offer({ resource_uuid: n1, start_time: '2060-02-01', end_time: '2060-03-01', lessee_id: P.lessee });
      const forOther = await offer({ resource_uuid: n1, start_time: '2060-03-01', end_time: '2060-04-01', lessee_id: P.other });
      const seen = async (persona: 'lessee' | 'grandchildLessee' | 'otherLessee' | 'admin') =>
        (await t.as(persona).get(`/v1/offers?resource_uuid=${n1}`)).body.offers.map((o: any) => o.uuid);
      expect(await seen('lessee')).toEqual([open.uuid, forLessee.uuid]);
      expect(await seen('grandchildLessee')).toEqual([open.uuid, forLessee.uuid]);
      expect(await seen('otherLessee')).toEqual([open.uuid, forOther.uuid]);
      expect(await seen('admin')).toEqual([open.uuid, forLessee.uuid, forOther.uuid]);
      expect((await t.as('grandchildLessee').get(`/v1/offers/${forLessee.uuid}`)).status).toBe(200);
      const denied = await t.as('otherLessee').get(`/v1/offers/${forLessee.uuid}`);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(fault(`Access was denied to offer ${forLessee.uuid}.`));
    });

    it('time window means containment, availability window means free', async () => {
      const n = node();
      const o = await offer({ resource_uuid: n, start_time: '2039-01-01', end_time: '2040-01-01' });
      const q = (s: string) => t.as('admin').get(`/v1/offers?resource_uuid=${n}&${s}`);
      expect((await q('start_time=2038-06-01&end_time=2039-07-01')).body.offers).toEqual([]);
      expect((await q('start_time=2039-02-01&end_time=2039-07-01')).body.offers.map((x: any) => x.uuid)).toEqual([o.uuid]);
      expect((await q('available_start_time=2039-06-01&available_end_time=2039-07-01')).body.offers).toHaveLength(1);
      await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2039-06-15', end_time: '2039-06-20' }).expect(201);
      expect((await q('available_start_time=2039-06-01&available_end_time=2039-07-01')).body.offers).toEqual([]);
      expect((await q('available_start_time=2039-06-20&available_end_time=2039-07-01')).body.offers).toHaveLength(1);
      const shown = await t.as('admin').get(`/v1/offers/${o.uuid}`);
      expect(shown.body.availabilities).toEqual([
        ['2039-01-01T00:00:00', '2039-06-15T00:00:00'],
        ['2039-06-20T00:00:00', '2040-01-01T00:00:00'],
      ]);
    });

    it('filters on the computed resource_class', async () => {
      const n = node(P.owner, { resourceClass: 'gpu' });
      const o = await offer({ resource_uuid: n });
      const res = await t.as('admin').get('/v1/offers?resource_class=gpu');
      expect(res.body.offers.map((x: any) => x.uuid)).toEqual([o.uuid]);
    });
  });

  describe('show and name resolution', () => {
    it('404 for an unknown uuid or name, 409 for a duplicate name', async () => {
      const id = '2a937286-552c-4a18-8c79-ce1ed190a1de';
      const missing = await t.as('admin').get(`/v1/offers/${id}`);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(fault(`Offer with name or uuid ${id} not found.`));
      const noName = await t.as('admin').get('/v1/offers/nonexistent-name');
      expect(noName.status).toBe(404);
      expect(noName.body.faultstring).toBe('Offer with name or uuid nonexistent-name not found.');
      await offer({ resource_uuid: node(), name: 'dupname' });
      await offer({ resource_uuid: node(P.owner2), name: 'dupname' }, 'owner2');
      const dup = await t.as('admin').get('/v1/offers/dupname');
      expect(dup.status).toBe(409);
      expect(dup.body.faultstring).toBe('Duplicate offers with name dupname.');
      expect((await t.as('admin').delete('/v1/offers/dupname')).status).toBe(409);
    });

    it('resolves names globally', async () => {
      const o = await offer({ resource_uuid: node(P.owner2), name: 'global-name' }, 'owner2');
      const res = await t.as('lessee').get('/v1/offers/global-name');
      expect(res.status).toBe(200);
      expect(res.body.uuid).toBe(o.uuid);
    });
  });

  describe('delete', () => {
    it('owner project members without roles may delete; others get 403; deleted is 404', async () => {
      const o = await offer({ resource_uuid: node(), start_time: '2070-01-01', end_time: '2070-03-01' });
      const claim = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2070-01-05', end_time: '2070-01-10' });
      expect(claim.status).toBe(201);
      const denied = await t.as('lessee').delete(`/v1/offers/${o.uuid}`);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(fault(`Access was denied to offer ${o.uuid}.`));
      const ok = await t.as('ownerNoRole').delete(`/v1/offers/${o.uuid}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('null');
      expect(ok.headers['content-type']).toBe('application/json');
      const lease = await t.as('admin').get(`/v1/leases/${claim.body.uuid}`);
      expect(lease.body.status).toBe('deleted');
      expect(lease.body.expire_time).not.toBeNull();
      const again = await t.as('owner').delete(`/v1/offers/${o.uuid}`);
      expect(again.status).toBe(404);
      expect(again.body.faultstring).toBe(`Offer with name or uuid ${o.uuid} not found.`);
    });
  });

  describe('claim', () => {
    it('creates a lease with offer-derived fields, ignoring project/resource in the body', async () => {
      const n = node();
      const o = await offer({ resource_uuid: n, start_time: '2030-01-01', end_time: '2030-03-01' });
      const res = await t
        .as('lessee')
        .post(`/v1/offers/${o.uuid}/claim`)
        .send({ name: 'l1', start_time: '2030-01-05', end_time: '2030-01-10', properties: { x: 'y' }, project_id: P.other, resource_uuid: 'zzz' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual([
        'name', 'uuid', 'project_id', 'project', 'owner_id', 'owner', 'resource_type', 'resource_uuid',
        'resource_class', 'resource_properties', 'resource', 'start_time', 'fulfill_time', 'expire_time',
        'end_time', 'status', 'properties', 'purpose', 'offer_uuid', 'parent_lease_uuid', 'degraded', 'degraded_reason',
      ]);
      expect(res.body).toMatchObject({
        name: 'l1', project_id: P.lessee, project: 'lessee', owner_id: P.owner, owner: 'owner',
        resource_type: 'test_node', resource_uuid: n, start_time: '2030-01-05T00:00:00', end_time: '2030-01-10T00:00:00',
        fulfill_time: null, expire_time: null, status: 'created', properties: { x: 'y' }, purpose: null,
        offer_uuid: o.uuid, parent_lease_uuid: null, degraded: false, degraded_reason: null,
      });

      const overlap = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2030-01-08', end_time: '2030-01-12' });
      expect(overlap.status).toBe(409);
      expect(overlap.body.faultstring).toBe(
        `Offer ${o.uuid} has no availabilities at given time range 2030-01-08 00:00:00, 2030-01-12 00:00:00.`,
      );
      const before = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2029-12-30', end_time: '2030-01-02' });
      expect(before.status).toBe(409);

      const defaultEnd = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2030-01-10' });
      expect(defaultEnd.body.end_time).toBe('2030-01-17T00:00:00');
      const capped = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2030-01-20', end_time: '2030-01-22' });
      expect(capped.status).toBe(201);
      const bounded = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2030-01-17' });
      expect(bounded.body.end_time).toBe('2030-01-20T00:00:00');
    });

    it('enforces the maximum length for non-admins only', async () => {
      const o = await offer({ resource_uuid: node(), start_time: '2031-01-01', end_time: '2031-06-01' });
      const long = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2031-01-01', end_time: '2031-02-01' });
      expect(long.status).toBe(403);
      expect(long.body.faultstring).toBe('Attempted to create lease with an invalid time range. The max time range is 21 days.');
      const exact = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2031-03-01', end_time: '2031-03-22' });
      expect(exact.status).toBe(201);
      const admin = await t.as('admin').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2031-04-01', end_time: '2031-05-20' });
      expect(admin.status).toBe(201);
    });

    it('claims by name and stores the real offer uuid', async () => {
      const o = await offer({ resource_uuid: node(), name: 'claim-by-name', start_time: '2032-01-01', end_time: '2032-02-01' });
      const res = await t.as('lessee').post('/v1/offers/claim-by-name/claim').send({ start_time: '2032-01-02', end_time: '2032-01-03' });
      expect(res.status).toBe(201);
      expect(res.body.offer_uuid).toBe(o.uuid);
    });

    it('claim body rules, deleted offers 404, lessee restrictions', async () => {
      const o = await offer({ resource_uuid: node(), lessee_id: P.lessee, start_time: '2033-01-01', end_time: '2033-02-01' });
      const empty = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).set('Content-Type', 'application/json');
      expect(empty.body).toEqual(fault('Missing argument: "new_lease"'));
      const ro = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({ uuid: 'x' });
      expect(ro.body).toEqual(fault("Invalid input for field/attribute uuid. Value: 'x'. Cannot set read only field."));
      const grandchild = await t.as('grandchildLessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2033-01-02', end_time: '2033-01-03' });
      expect(grandchild.status).toBe(201);
      const other = await t.as('otherLessee').post(`/v1/offers/${o.uuid}/claim`).send({ start_time: '2033-01-05', end_time: '2033-01-06' });
      expect(other.status).toBe(403);
      expect(other.body).toEqual(fault(`Access was denied to offer ${o.uuid}.`));
      await t.as('owner').delete(`/v1/offers/${o.uuid}`).expect(200);
      const gone = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({});
      expect(gone.status).toBe(404);
    });

    it('claim with no start of a future offer fails with 409', async () => {
      const o = await offer({ resource_uuid: node(), start_time: '2090-01-01', end_time: '2090-02-01' });
      const res = await t.as('lessee').post(`/v1/offers/${o.uuid}/claim`).send({});
      expect(res.status).toBe(409);
      expect(res.body.faultstring).toMatch(new RegExp(`^Offer ${o.uuid} has no availabilities at given time range `));
    });
  });
});

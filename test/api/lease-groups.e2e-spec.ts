import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

const GROUP_KEYS = ['uuid', 'name', 'project_id', 'count', 'start_time', 'end_time', 'status', 'leases'];
const START = '2035-01-10T00:00:00';
const END = '2035-01-12T00:00:00';

describe.each(testDatabaseKinds())('lease groups (/v1/lease_groups) on %s', (kind) => {
  let t: TestApp;
  let seq = 0;

  /**
   * `cpus` values of nodes of the owner, each offered for all of 2035's first two months, in a
   * resource class of their own so that each test selects only among its own nodes.
   */
  const fleet = async (cpus: readonly number[]) => {
    const resourceClass = `grp-class-${++seq}`;
    const nodes: string[] = [];
    const offers: string[] = [];
    for (const [i, c] of cpus.entries()) {
      const uuid = `grp-${seq}-${i}`;
      t.nodes.add(uuid, { owner: P.owner, resourceClass, properties: { cpus: c } });
      const offer = await t
        .as('owner')
        .post('/v1/offers')
        .send({ resource_uuid: uuid, start_time: '2035-01-01T00:00:00', end_time: '2035-03-01T00:00:00' });
      expect(offer.status).toBe(201);
      nodes.push(uuid);
      offers.push(offer.body.uuid);
    }
    return { resourceClass, nodes, offers };
  };
  const count = async (table: string) => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const written = async () => ({
    groups: await count('lease_groups'),
    members: await count('lease_group_members'),
    leases: await count('leases'),
  });
  const book = async (body: Record<string, unknown>, persona: 'lessee' | 'owner' | 'admin' = 'lessee') => {
    const res = await t.as(persona).post('/v1/lease_groups').send(body);
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  };
  const leaseRows = (uuids: readonly string[]) =>
    t.dataSource.query(
      `SELECT uuid, status, end_time, offer_uuid, project_id, owner_id FROM leases WHERE uuid IN (${uuids.map(() => '?').join(', ')}) ORDER BY id`,
      [...uuids],
    ) as Promise<Array<Record<string, any>>>;
  const iso = (value: unknown) =>
    new Date(String(value).replace(' ', 'T') + (String(value).endsWith('Z') ? '' : 'Z')).toISOString().slice(0, 19);

  beforeAll(async () => {
    t = await createTestApp({ kind });
  });
  afterAll(() => t.close());

  describe('POST', () => {
    it('books count leases from offers in one go: the group, its leases as GET /v1/leases shows them, the rows', async () => {
      const f = await fleet([16, 32, 64]);
      const group = await book({
        count: 2,
        resource_class: f.resourceClass,
        start_time: START,
        end_time: END,
        name: 'ci',
      });
      expect(Object.keys(group)).toEqual(GROUP_KEYS);
      expect(group).toMatchObject({
        name: 'ci',
        project_id: P.lessee,
        count: 2,
        start_time: START,
        end_time: END,
        status: 'active',
      });
      expect(group.leases).toHaveLength(2);
      for (const lease of group.leases) {
        const shown = await t.as('lessee').get(`/v1/leases/${lease.uuid}`);
        expect(shown.status).toBe(200);
        expect(lease).toEqual(shown.body);
        expect(lease).toMatchObject({
          project_id: P.lessee,
          owner_id: P.owner,
          start_time: START,
          end_time: END,
          status: 'created',
          name: 'ci',
        });
        expect(f.offers).toContain(lease.offer_uuid);
      }
      const [row] = await t.dataSource.query(
        'SELECT project_id, count, status, name FROM lease_groups WHERE uuid = ?',
        [group.uuid],
      );
      expect({ ...row, count: Number(row.count) }).toEqual({
        project_id: P.lessee,
        count: 2,
        status: 'active',
        name: 'ci',
      });
      const members = await t.dataSource.query(
        'SELECT lease_uuid FROM lease_group_members WHERE group_uuid = ? ORDER BY lease_uuid',
        [group.uuid],
      );
      expect(members.map((m: any) => m.lease_uuid)).toEqual(group.leases.map((l: any) => l.uuid).sort());
      const rows = await leaseRows(group.leases.map((l: any) => l.uuid));
      expect(rows.map((r) => r.offer_uuid).every((o: string) => f.offers.includes(o))).toBe(true);
      const events = await t.dataSource.query(
        'SELECT event_type, object_type, lessee_id FROM events WHERE object_uuid = ?',
        [group.uuid],
      );
      expect(events).toEqual([
        { event_type: 'esi_leap.lease_group.create.end', object_type: 'lease_group', lessee_id: P.lessee },
      ]);
    });

    it('min_count/max_count takes as many free ones as it may', async () => {
      const f = await fleet([8, 8, 8]);
      const group = await book({
        min_count: 1,
        max_count: 5,
        resource_class: f.resourceClass,
        start_time: START,
        end_time: END,
      });
      expect(group.count).toBe(3);
      expect(group.leases.map((l: any) => l.resource_uuid).sort()).toEqual(f.nodes);
    });

    it('a dry run books nothing and names exactly the resources the booking then takes', async () => {
      const f = await fleet([16, 32, 64]);
      const body = {
        count: 2,
        resource_class: f.resourceClass,
        constraints: ['cpus>=32'],
        start_time: START,
        end_time: END,
      };
      const before = await written();
      const plan = await t
        .as('lessee')
        .post('/v1/lease_groups')
        .send({ ...body, dry_run: true });
      expect(plan.status).toBe(200);
      expect(Object.keys(plan.body)).toEqual(['dry_run', 'count', 'start_time', 'end_time', 'resources']);
      expect(plan.body).toMatchObject({ dry_run: true, count: 2, start_time: START, end_time: END });
      expect(await written()).toEqual(before);
      const planned = plan.body.resources.map((r: any) => [r.resource_uuid, r.offer_uuid, r.resource]).sort();
      expect(planned).toEqual([
        [f.nodes[1], f.offers[1], `test-node-${f.nodes[1]}`],
        [f.nodes[2], f.offers[2], `test-node-${f.nodes[2]}`],
      ]);
      const group = await book(body);
      expect(group.leases.map((l: any) => [l.resource_uuid, l.offer_uuid, l.resource]).sort()).toEqual(planned);
    });

    it('409 with the capacity facts when fewer are free than asked for; nothing written', async () => {
      const f = await fleet([16, 32, 64]);
      const before = await written();
      const body = {
        count: 3,
        resource_class: f.resourceClass,
        constraints: ['cpus>=32'],
        start_time: START,
        end_time: END,
      };
      for (const dryRun of [true, false]) {
        const res = await t
          .as('lessee')
          .post('/v1/lease_groups')
          .send({ ...body, dry_run: dryRun });
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ faultcode: 'Client', debuginfo: null });
        expect(res.body.faultstring).toContain('Only 2 of 3 requested nodes are free');
        expect(res.body.capacity).toMatchObject({
          requested: 3,
          candidates: 3,
          matching: 2,
          free: 2,
          most_excluding: 'cpus>=32',
        });
      }
      expect(await written()).toEqual(before);
    });

    it("books an owner's own nodes directly with from=owned: no offer, the caller's project on both sides", async () => {
      const resourceClass = `grp-owned-${++seq}`;
      const nodes = [0, 1].map((i) => `grp-owned-${seq}-${i}`);
      for (const uuid of nodes) t.nodes.add(uuid, { owner: P.owner, resourceClass });
      const group = await book(
        { count: 2, from: 'owned', resource_class: resourceClass, start_time: START, end_time: END },
        'owner',
      );
      expect(group).toMatchObject({ project_id: P.owner, count: 2 });
      expect(group.leases.map((l: any) => l.resource_uuid).sort()).toEqual(nodes);
      for (const lease of group.leases)
        expect(lease).toMatchObject({ offer_uuid: null, owner_id: P.owner, project_id: P.owner });
    });

    it.each([
      [{}, "Invalid input for field/attribute count. Value: 'None'. Mandatory field missing."],
      [{ count: 0 }, "Invalid input for field/attribute count. Value: '0'. Value should be between 1 and 100"],
      [{ count: 101 }, "Invalid input for field/attribute count. Value: '101'. Value should be between 1 and 100"],
      [
        { count: '2' },
        "Invalid input for field/attribute count. Value: '2'. Wrong type. Expected '<class 'int'>', got '<class 'str'>'",
      ],
      [
        { count: 2.5 },
        "Invalid input for field/attribute count. Value: '2.5'. Wrong type. Expected '<class 'int'>', got '<class 'float'>'",
      ],
      [
        { count: 2, max_count: 3 },
        'Invalid input for field/attribute count. Give count, or min_count and max_count, not both',
      ],
      [
        { min_count: 3, max_count: 2 },
        "Invalid input for field/attribute max_count. Value: '2'. Value should be at least min_count (3)",
      ],
      [
        { count: 2, from: 'anywhere' },
        "Invalid input for field/attribute from. Value: 'anywhere'. Value should be 'offers' or 'owned'",
      ],
      [
        { count: 2, constraints: 'cpus>=1' },
        "Invalid input for field/attribute constraints. Value: 'cpus>=1'. Wrong type. Expected a list of strings, got '<class 'str'>'",
      ],
      [
        { count: 2, dry_run: 'yes' },
        "Invalid input for field/attribute dry_run. Value: 'yes'. Wrong type. Expected '<class 'bool'>', got '<class 'str'>'",
      ],
      [{ count: 2, leases: [] }, "Invalid input for field/attribute leases. Value: '[]'. Cannot set read only field."],
      [{ count: 2, nodes: 2 }, 'Unknown attribute for argument new_lease_group: nodes'],
      [
        { count: 2, name: 'x'.repeat(36) },
        `Invalid input for field/attribute name. Value: '${'x'.repeat(36)}'. Value should have a maximum character requirement of 35`,
      ],
    ])('400 for %j, naming the field; nothing written', async (body, faultstring) => {
      const before = await written();
      const res = await t.as('lessee').post('/v1/lease_groups').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ faultcode: 'Client', faultstring, debuginfo: null });
      expect(await written()).toEqual(before);
    });

    it('400 for a malformed constraint and for an inverted window; nothing written', async () => {
      const f = await fleet([8]);
      const before = await written();
      const bad = await t
        .as('lessee')
        .post('/v1/lease_groups')
        .send({ count: 1, resource_class: f.resourceClass, constraints: ['cpus>>1'] });
      expect(bad.status).toBe(400);
      expect(bad.body.faultstring).toContain("Invalid constraint 'cpus>>1'");
      const inverted = await t
        .as('lessee')
        .post('/v1/lease_groups')
        .send({ count: 1, resource_class: f.resourceClass, start_time: END, end_time: START });
      expect(inverted.status).toBe(400);
      expect(await written()).toEqual(before);
    });
  });

  describe('GET', () => {
    it("lists the caller's project's groups; view=all only for admins; another project sees none", async () => {
      const f = await fleet([8]);
      const group = await book({ count: 1, resource_class: f.resourceClass, start_time: START, end_time: END });
      const uuids = async (persona: 'lessee' | 'otherLessee' | 'admin', qs = '') => {
        const res = await t.as(persona).get(`/v1/lease_groups${qs}`);
        expect(res.status).toBe(200);
        return res.body.lease_groups.map((g: any) => g.uuid);
      };
      expect(await uuids('lessee')).toContain(group.uuid);
      expect(await uuids('otherLessee')).not.toContain(group.uuid);
      expect(await uuids('admin')).not.toContain(group.uuid);
      expect(await uuids('admin', '?view=all')).toContain(group.uuid);
      expect((await t.as('lessee').get('/v1/lease_groups?view=all')).status).toBe(403);
      const shown = await t.as('lessee').get(`/v1/lease_groups/${group.uuid}`);
      expect(shown.status).toBe(200);
      expect(shown.body).toEqual(group);
      expect((await t.as('lessee').get('/v1/lease_groups/no-such-group')).body.faultstring).toBe(
        'Lease group no-such-group not found.',
      );
    });

    it('pages with limit and marker like the other lists: every group once, next while more remain, 400 for an unknown marker', async () => {
      const f = await fleet([8, 8, 8]);
      for (let i = 0; i < 3; i++)
        await book({ count: 1, resource_class: f.resourceClass, start_time: START, end_time: END });
      const all = (await t.as('lessee').get('/v1/lease_groups')).body.lease_groups.map((g: any) => g.uuid);
      expect(all.length).toBeGreaterThanOrEqual(3);
      const walked: string[] = [];
      let url: string | undefined = '/v1/lease_groups?limit=2';
      while (url) {
        const res = await t.as('lessee').get(url);
        expect(res.status).toBe(200);
        expect(res.body.lease_groups.length).toBeLessThanOrEqual(2);
        walked.push(...res.body.lease_groups.map((g: any) => g.uuid));
        expect(Object.keys(res.body)).toEqual(res.body.next ? ['lease_groups', 'next'] : ['lease_groups']);
        url = res.body.next && new URL(res.body.next).pathname + new URL(res.body.next).search;
        if (url) expect(new URL(res.body.next).searchParams.get('marker')).toBe(walked[walked.length - 1]);
      }
      expect(walked).toEqual(all);
      const unknown = await t.as('lessee').get('/v1/lease_groups?limit=1&marker=no-such-group');
      expect(unknown.status).toBe(400);
      expect(unknown.body.faultstring).toBe('Marker no-such-group could not be found.');
      expect((await t.as('lessee').get('/v1/lease_groups?limit=0')).status).toBe(400);
    });

    it('policy: another project may not see, change or cancel the group (403), and a lessee may not change its end', async () => {
      const f = await fleet([8]);
      const group = await book({ count: 1, resource_class: f.resourceClass, start_time: START, end_time: END });
      const denied = {
        faultcode: 'Client',
        faultstring: `Access was denied to lease_group ${group.uuid}.`,
        debuginfo: null,
      };
      const show = await t.as('otherLessee').get(`/v1/lease_groups/${group.uuid}`);
      expect([show.status, show.body]).toEqual([403, denied]);
      const del = await t.as('otherLessee').delete(`/v1/lease_groups/${group.uuid}`);
      expect([del.status, del.body]).toEqual([403, denied]);
      const patch = await t
        .as('lessee')
        .patch(`/v1/lease_groups/${group.uuid}`)
        .send({ end_time: '2035-01-13T00:00:00' });
      expect([patch.status, patch.body]).toEqual([403, denied]);
      const owned = await t.as('lessee').post('/v1/lease_groups').send({ count: 1, from: 'owned' });
      expect([owned.status, owned.body.faultstring]).toEqual([403, 'Access was denied to esi_leap:lease:create.']);
      const [row] = await leaseRows([group.leases[0].uuid]);
      expect([row.status, iso(row.end_time)]).toEqual(['created', END]);
    });
  });

  describe('PATCH', () => {
    it('moves every member’s end, all or none: one member blocked → nothing changed', async () => {
      const f = await fleet([8, 8]);
      const group = await book({ count: 2, resource_class: f.resourceClass, start_time: START, end_time: END });
      const blockedOffer = group.leases[1].offer_uuid;
      const blocker = await t
        .as('otherLessee')
        .post(`/v1/offers/${blockedOffer}/claim`)
        .send({ start_time: '2035-01-13T00:00:00', end_time: '2035-01-14T00:00:00' });
      expect(blocker.status).toBe(201);

      const refused = await t
        .as('admin')
        .patch(`/v1/lease_groups/${group.uuid}`)
        .send({ end_time: '2035-01-15T00:00:00' });
      expect(refused.status).toBe(409);
      expect(refused.body.faultstring).toBe(
        `Offer ${blockedOffer} has no availabilities at given time range 2035-01-12 00:00:00, 2035-01-15 00:00:00.`,
      );
      const uuids = group.leases.map((l: any) => l.uuid);
      expect((await leaseRows(uuids)).map((r) => iso(r.end_time))).toEqual([END, END]);
      const [g] = await t.dataSource.query('SELECT end_time FROM lease_groups WHERE uuid = ?', [group.uuid]);
      expect(iso(g.end_time)).toBe(END);
      const updates = await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM events WHERE event_type = 'esi_leap.lease.update.end' AND object_uuid IN (?, ?)`,
        uuids,
      );
      expect(Number(updates[0].n)).toBe(0);

      const extended = await t
        .as('admin')
        .patch(`/v1/lease_groups/${group.uuid}`)
        .send({ end_time: '2035-01-13T00:00:00' });
      expect(extended.status).toBe(200);
      expect(extended.body).toMatchObject({ uuid: group.uuid, end_time: '2035-01-13T00:00:00', count: 2 });
      expect(extended.body.leases.map((l: any) => l.end_time)).toEqual(['2035-01-13T00:00:00', '2035-01-13T00:00:00']);
      expect((await leaseRows(uuids)).map((r) => iso(r.end_time))).toEqual([
        '2035-01-13T00:00:00',
        '2035-01-13T00:00:00',
      ]);
      const events = await t.dataSource.query(
        `SELECT object_uuid FROM events WHERE event_type = 'esi_leap.lease.update.end' AND object_uuid IN (?, ?) ORDER BY object_uuid`,
        uuids,
      );
      expect(events.map((e: any) => e.object_uuid)).toEqual([...uuids].sort());
    });

    it('400 for a body other than {end_time}, nothing changed', async () => {
      const f = await fleet([8]);
      const group = await book({ count: 1, resource_class: f.resourceClass, start_time: START, end_time: END });
      const res = await t
        .as('admin')
        .patch(`/v1/lease_groups/${group.uuid}`)
        .send({ end_time: '2035-01-13', name: 'x' });
      expect([res.status, res.body.faultstring]).toEqual([400, 'Only the end_time field may be updated']);
      const [row] = await leaseRows([group.leases[0].uuid]);
      expect(iso(row.end_time)).toBe(END);
    });
  });

  describe('DELETE', () => {
    it('cancels every member as a lease DELETE does, and the group; its event is written', async () => {
      const f = await fleet([8, 8]);
      const group = await book({ count: 2, resource_class: f.resourceClass, start_time: START, end_time: END });
      const res = await t.as('lessee').delete(`/v1/lease_groups/${group.uuid}`);
      expect([res.status, res.body]).toEqual([200, null]);
      const uuids = group.leases.map((l: any) => l.uuid);
      expect((await leaseRows(uuids)).map((r) => r.status)).toEqual(['deleted', 'deleted']);
      const [row] = await t.dataSource.query('SELECT status FROM lease_groups WHERE uuid = ?', [group.uuid]);
      expect(row.status).toBe('cancelled');
      const events = await t.dataSource.query('SELECT event_type FROM events WHERE object_uuid = ? ORDER BY id', [
        group.uuid,
      ]);
      expect(events.map((e: any) => e.event_type)).toEqual([
        'esi_leap.lease_group.create.end',
        'esi_leap.lease_group.delete.end',
      ]);
      const shown = await t.as('lessee').get(`/v1/lease_groups/${group.uuid}`);
      expect(shown.body).toMatchObject({ status: 'cancelled', count: 0, leases: [] });
      expect((await t.as('lessee').delete(`/v1/lease_groups/${group.uuid}`)).status).toBe(404);
      const patched = await t
        .as('admin')
        .patch(`/v1/lease_groups/${group.uuid}`)
        .send({ end_time: '2035-01-13T00:00:00' });
      expect([patched.status, patched.body.faultstring]).toEqual([
        409,
        `Lease group ${group.uuid} has no lease left to change.`,
      ]);
      // The nodes are free again: the same group books.
      await book({ count: 2, resource_class: f.resourceClass, start_time: START, end_time: END });
    });

    /** A group of 2 whose first member is active, with a sub-offer its lessee made inside it. */
    async function groupWithSubOffer() {
      const f = await fleet([8, 8]);
      const group = await book({ count: 2, resource_class: f.resourceClass, start_time: START, end_time: END });
      const [inner] = group.leases;
      // The member as the manager leaves it once fulfilled: active, the node lent to the lessee.
      await t.dataSource.query("UPDATE leases SET status = 'active' WHERE uuid = ?", [inner.uuid]);
      Object.assign(t.nodes.nodes.get(inner.resource_uuid)!, { leaseUuid: inner.uuid, lessee: P.lessee });
      const subOffer = await t
        .http()
        .post('/v1/offers')
        .set({ 'X-Project-Id': P.lessee, 'X-Roles': 'owner' })
        .send({
          resource_uuid: inner.resource_uuid,
          start_time: '2035-01-10T12:00:00',
          end_time: '2035-01-11T00:00:00',
        });
      expect([subOffer.status, subOffer.body.parent_lease_uuid]).toEqual([201, inner.uuid]);
      return { f, group, inner, subOffer };
    }

    it('cascades as a lease DELETE does: a sub-offer inside a member and the lease claimed from it end too', async () => {
      const { group, subOffer } = await groupWithSubOffer();
      const subLease = await t
        .as('otherLessee')
        .post(`/v1/offers/${subOffer.body.uuid}/claim`)
        .send({ start_time: '2035-01-10T12:00:00', end_time: '2035-01-10T18:00:00' });
      expect([subLease.status, subLease.body.faultstring]).toEqual([201, undefined]);

      expect((await t.as('lessee').delete(`/v1/lease_groups/${group.uuid}`)).status).toBe(200);
      const rows = await leaseRows([...group.leases.map((l: any) => l.uuid), subLease.body.uuid]);
      expect(rows.map((r) => r.status)).toEqual(['deleted', 'deleted', 'deleted']);
      const [offerRow] = await t.dataSource.query('SELECT status FROM offers WHERE uuid = ?', [subOffer.body.uuid]);
      expect(offerRow.status).toBe('deleted');
    });

    it('books a member from a sub-offer inside its parent lease, as a claim of it would', async () => {
      const { f, inner, subOffer } = await groupWithSubOffer();
      // Every other offer of the class is taken over this window by the group: only the sub-offer is free.
      const subGroup = await t.as('otherLessee').post('/v1/lease_groups').send({
        count: 1,
        resource_class: f.resourceClass,
        start_time: '2035-01-10T12:00:00',
        end_time: '2035-01-10T18:00:00',
      });
      expect([subGroup.status, subGroup.body.faultstring]).toEqual([201, undefined]);
      const [member] = subGroup.body.leases;
      expect(member).toMatchObject({
        resource_uuid: inner.resource_uuid,
        offer_uuid: subOffer.body.uuid,
        parent_lease_uuid: inner.uuid,
        owner_id: P.lessee,
      });
      const [row] = await t.dataSource.query(
        'SELECT parent_lease_uuid, owner_id, offer_uuid FROM leases WHERE uuid = ?',
        [member.uuid],
      );
      expect(row).toEqual({ parent_lease_uuid: inner.uuid, owner_id: P.lessee, offer_uuid: subOffer.body.uuid });
    });

    it('deleting one member shrinks the group', async () => {
      const f = await fleet([8, 8, 8]);
      const group = await book({ count: 3, resource_class: f.resourceClass, start_time: START, end_time: END });
      const [gone, ...kept] = group.leases;
      expect((await t.as('lessee').delete(`/v1/leases/${gone.uuid}`)).status).toBe(200);
      const shown = await t.as('lessee').get(`/v1/lease_groups/${group.uuid}`);
      expect(shown.body.count).toBe(2);
      expect(shown.body.leases.map((l: any) => l.uuid)).toEqual(kept.map((l: any) => l.uuid));
      expect(shown.body.status).toBe('active');
    });
  });
});

import { ManualClock } from '../../src/common/clock';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { hoursFrom, LimitsFile, NOW } from './limits-fixtures';

const LIMITS = `
self_service_extension: true
defaults:
  max_lease_length: 7d
  booking_horizon: 30d
  extension_window: 2d
  max_extension: 3d
  max_total_length: 10d
resource_classes:
  gpu:
    max_lease_length: 2d
    min_gap: 1h
projects:
  ${P.child}:
    max_lease_length: 25d
  ${P.other}:
    resource_classes:
      gpu:
        max_lease_length: 3d
`;

const at = hoursFrom(NOW);
const denied = (uuid: string) => ({
  faultcode: 'Client',
  faultstring: `Access was denied to lease ${uuid}.`,
  debuginfo: null,
});

describe.each(testDatabaseKinds())('lease limits and self-service extension (%s)', (kind) => {
  let t: TestApp;
  let file: LimitsFile;
  let seq = 0;

  /** A fresh node of the class and an offer on it from 30 days ago to 400 days ahead. */
  const offerOn = async (resourceClass = 'baremetal'): Promise<{ node: string; offer: string }> => {
    const node = `limits-${++seq}`;
    t.nodes.add(node, { owner: P.owner, resourceClass });
    const res = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: node, start_time: at(-720), end_time: at(9600) });
    expect(res.status).toBe(201);
    return { node, offer: res.body.uuid };
  };
  const claim = (offer: string, persona: Persona, start: string, end: string) =>
    t.as(persona).post(`/v1/offers/${offer}/claim`).send({ start_time: start, end_time: end });
  const leaseOf = async (persona: Persona, start: string, end: string, resourceClass?: string) => {
    const { offer } = await offerOn(resourceClass);
    const res = await claim(offer, persona, start, end);
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const patch = (persona: Persona, uuid: string, body: unknown) =>
    t
      .as(persona)
      .patch(`/v1/leases/${uuid}`)
      .send(body as object);
  const endOf = async (uuid: string) => (await t.as('admin').get(`/v1/leases/${uuid}`)).body.end_time as string;

  beforeAll(async () => {
    file = new LimitsFile(LIMITS);
    t = await createTestApp({ kind, clock: new ManualClock(NOW), conf: file.conf() });
  });
  afterAll(async () => {
    await t.close();
    file.remove();
  });

  describe('new leases', () => {
    it('max_lease_length (7 days): at and inside the limit booked, beyond it refused naming the limit', async () => {
      const { offer } = await offerOn();
      expect((await claim(offer, 'lessee', at(24), at(24 + 168))).status).toBe(201);
      expect((await claim(offer, 'lessee', at(200), at(200 + 167))).status).toBe(201);
      const beyond = await claim(offer, 'lessee', at(400), at(400 + 168, 1));
      expect(beyond.status).toBe(403);
      expect(beyond.body).toEqual({
        faultcode: 'Client',
        faultstring: 'A lease may last at most 7 days; this one would last 7 days 1 second.',
        debuginfo: null,
        limit: { name: 'max_lease_length', limit_seconds: 604_800, requested_seconds: 604_801 },
      });
    });

    it('per resource class, per project, and per project and class', async () => {
      const gpu = await offerOn('gpu');
      expect((await claim(gpu.offer, 'lessee', at(24), at(72))).status).toBe(201);
      expect((await claim(gpu.offer, 'lessee', at(100), at(148, 1))).body.limit).toMatchObject({
        name: 'max_lease_length',
        limit_seconds: 172_800,
      });
      expect((await claim(gpu.offer, 'otherLessee', at(200), at(272))).status).toBe(201);
      expect((await claim(gpu.offer, 'otherLessee', at(300), at(372, 1))).body.limit.limit_seconds).toBe(259_200);
      // The project's 25 days replace upstream's [api] max_lease_time of 21 days.
      const plain = await offerOn();
      expect((await claim(plain.offer, 'childLessee', at(24), at(24 + 600))).status).toBe(201);
      expect((await claim(plain.offer, 'childLessee', at(700), at(1300, 1))).status).toBe(403);
    });

    it('booking_horizon (30 days ahead): a start at and inside the horizon booked, beyond it refused', async () => {
      const { offer } = await offerOn();
      expect((await claim(offer, 'lessee', at(720), at(730))).status).toBe(201);
      expect((await claim(offer, 'lessee', at(700), at(710))).status).toBe(201);
      const beyond = await claim(offer, 'lessee', at(720, 1), at(740));
      expect(beyond.status).toBe(403);
      expect(beyond.body.faultstring).toBe(
        'A lease may start at most 30 days ahead; this one would start in 30 days 1 second.',
      );
    });

    it('lease admins are not bound by the limits, as upstream exempts them from max_lease_time', async () => {
      const { offer } = await offerOn();
      expect((await claim(offer, 'admin', at(2000), at(3000))).status).toBe(201);
    });
  });

  describe('self-service extension by the lessee', () => {
    it('extension_window (2 days): extended at and inside the window, refused before it opens', async () => {
      const atEdge = await leaseOf('lessee', at(-24), at(48));
      expect((await patch('lessee', atEdge, { end_time: at(72) })).status).toBe(200);
      expect(await endOf(atEdge)).toBe(at(72));
      const inside = await leaseOf('lessee', at(-24), at(24));
      expect((await patch('lessee', inside, { end_time: at(48) })).status).toBe(200);
      const early = await leaseOf('lessee', at(-24), at(48, 1));
      const refused = await patch('lessee', early, { end_time: at(72) });
      expect(refused.status).toBe(403);
      expect(refused.body.faultstring).toBe(
        `Lease ${early} may be extended only in the last 2 days before its end, from ${at(0, 1)}.`,
      );
      expect(refused.body.limit).toEqual({
        name: 'extension_window',
        limit_seconds: 172_800,
        requested_seconds: 172_801,
      });
      expect(await endOf(early)).toBe(at(48, 1));
    });

    it('applies to a lease group as to each of its leases: a later end within the limits, all or none', async () => {
      await offerOn('group-self-service');
      await offerOn('group-self-service');
      const booked = await t
        .as('lessee')
        .post('/v1/lease_groups')
        .send({ count: 2, resource_class: 'group-self-service', start_time: at(24), end_time: at(48) });
      expect(booked.status).toBe(201);
      const group = booked.body.uuid as string;
      const members = booked.body.leases.map((l: { uuid: string }) => l.uuid) as string[];
      const patchGroup = (persona: Persona, end: string) =>
        t.as(persona).patch(`/v1/lease_groups/${group}`).send({ end_time: end });
      const groupDenied = { faultcode: 'Client', faultstring: `Access was denied to lease_group ${group}.`, debuginfo: null };

      const beyond = await patchGroup('lessee', at(48 + 72, 1));
      expect(beyond.status).toBe(403);
      expect(beyond.body.faultstring).toBe('An extension may add at most 3 days; this one would add 3 days 1 second.');
      for (const uuid of members) expect(await endOf(uuid)).toBe(at(48));
      expect((await patchGroup('lessee', at(96))).status).toBe(200);
      const earlier = await patchGroup('lessee', at(72));
      expect([earlier.status, earlier.body]).toEqual([403, groupDenied]);
      expect((await patchGroup('otherLessee', at(100))).status).toBe(403);
      for (const uuid of members) expect(await endOf(uuid)).toBe(at(96));
    });

    it('max_extension (3 days): by 3 days and by less extended, by a second more refused', async () => {
      const exact = await leaseOf('lessee', at(-24), at(24));
      expect((await patch('lessee', exact, { end_time: at(96) })).status).toBe(200);
      const less = await leaseOf('lessee', at(-24), at(24));
      expect((await patch('lessee', less, { end_time: at(95, 3599) })).status).toBe(200);
      const beyond = await leaseOf('lessee', at(-24), at(24));
      const refused = await patch('lessee', beyond, { end_time: at(96, 1) });
      expect(refused.status).toBe(403);
      expect(refused.body.faultstring).toBe('An extension may add at most 3 days; this one would add 3 days 1 second.');
    });

    it('max_total_length (10 days): to 10 days in all and less extended, a second more refused', async () => {
      const exact = await leaseOf('childLessee', at(-216), at(12));
      expect((await patch('childLessee', exact, { end_time: at(24) })).status).toBe(200);
      const less = await leaseOf('childLessee', at(-216), at(12));
      expect((await patch('childLessee', less, { end_time: at(23) })).status).toBe(200);
      const beyond = await leaseOf('childLessee', at(-216), at(12));
      const refused = await patch('childLessee', beyond, { end_time: at(24, 1) });
      expect(refused.status).toBe(403);
      expect(refused.body.limit).toEqual({
        name: 'max_total_length',
        limit_seconds: 864_000,
        requested_seconds: 864_001,
      });
    });

    it('is allowed to the lessee project (no role needed) and its parent projects, no one else', async () => {
      const lessees = await leaseOf('lessee', at(-24), at(24));
      expect((await patch('lesseeNoRole', lessees, { end_time: at(25) })).status).toBe(200);
      for (const persona of ['owner', 'otherLessee', 'childLessee'] as const) {
        const res = await patch(persona, lessees, { end_time: at(26) });
        expect([persona, res.status, res.body]).toEqual([persona, 403, denied(lessees)]);
      }
      const childs = await leaseOf('childLessee', at(-24), at(24));
      expect((await patch('lessee', childs, { end_time: at(25) })).status).toBe(200);
      const grandchilds = await leaseOf('grandchildLessee', at(-24), at(24));
      expect((await patch('lessee', grandchilds, { end_time: at(25) })).status).toBe(200);
      expect((await patch('childLessee', grandchilds, { end_time: at(26) })).status).toBe(200);
    });

    it("answers anything but a later end_time of a live lease as it always did (403), where an admin's is answered on its merits", async () => {
      const uuid = await leaseOf('lessee', at(-24), at(24));
      for (const body of [
        { end_time: at(12) },
        { end_time: at(24) },
        { end_time: at(30), name: 'x' },
        {},
        { end_time: 'soon' },
      ]) {
        const res = await patch('lessee', uuid, body);
        expect([body, res.status, res.body]).toEqual([body, 403, denied(uuid)]);
      }
      expect((await patch('admin', uuid, { end_time: at(30), name: 'x' })).status).toBe(400);
      expect((await patch('admin', uuid, { end_time: at(12) })).status).toBe(200);
      await t.dataSource.query("UPDATE leases SET status = 'expired' WHERE uuid = ?", [uuid]);
      expect((await patch('lessee', uuid, { end_time: at(30) })).body).toEqual(denied(uuid));
      expect(await endOf(uuid)).toBe(at(12));
    });

    it('does not bind holders of lease:update', async () => {
      const uuid = await leaseOf('lessee', at(-24), at(100));
      expect((await patch('admin', uuid, { end_time: at(2000) })).status).toBe(200);
    });

    it('writes esi_leap.lease.update.end for every change of the end, an admin’s too, with the new end', async () => {
      const uuid = await leaseOf('lessee', at(-24), at(24));
      await patch('lessee', uuid, { end_time: at(30) }).expect(200);
      await patch('admin', uuid, { end_time: at(28) }).expect(200);
      await patch('admin', uuid, { end_time: at(28) }).expect(200);
      const events = (
        await t.as('admin').get(`/v1/events?event_type=esi_leap.lease.update.end&resource_uuid=${await nodeOf(uuid)}`)
      ).body.events;
      expect(events.map((e: any) => [e.event_type, e.object_uuid, e.lessee_id])).toEqual([
        ['esi_leap.lease.update.end', uuid, P.lessee],
        ['esi_leap.lease.update.end', uuid, P.lessee],
      ]);
    });
  });

  describe('cleaning time (min_gap 1 hour on gpu nodes)', () => {
    it('books a lease exactly the gap after another, refuses one within it, on either side', async () => {
      const { node, offer } = await offerOn('gpu');
      expect((await claim(offer, 'lessee', at(24), at(48))).status).toBe(201);
      expect((await claim(offer, 'lessee', at(49), at(60))).status).toBe(201);
      expect((await claim(offer, 'lessee', at(10), at(23))).status).toBe(201);
      const after = await claim(offer, 'otherLessee', at(60, 3599), at(70));
      expect(after.status).toBe(409);
      expect(after.body.faultstring).toBe(
        `Time conflict for test_node ${node}: leases on it must be 1 hour apart (cleaning time).`,
      );
      const other = await offerOn('gpu');
      expect((await claim(other.offer, 'lessee', at(24), at(48))).status).toBe(201);
      expect((await claim(other.offer, 'lessee', at(10), at(23, 1))).status).toBe(409);
      expect((await claim(other.offer, 'lessee', at(10), at(23))).status).toBe(201);
      // Further apart than the gap.
      expect((await claim(other.offer, 'lessee', at(50), at(52))).status).toBe(201);
    });

    it('shows availabilities that leave the gap around every lease', async () => {
      const { offer } = await offerOn('gpu');
      for (const [start, end] of [
        [24, 48],
        [49, 60],
        [10, 23],
      ]) {
        expect((await claim(offer, 'lessee', at(start), at(end))).status).toBe(201);
      }
      const shown = (await t.as('lessee').get(`/v1/offers/${offer}`)).body.availabilities;
      expect(shown).toEqual([
        [at(0), at(9)],
        [at(61), at(9600)],
      ]);
    });

    it('holds for extensions, an admin’s too, and not on nodes without a gap', async () => {
      const { offer } = await offerOn('gpu');
      const first = (await claim(offer, 'lessee', at(-12), at(24))).body.uuid;
      expect((await claim(offer, 'lessee', at(25), at(30))).status).toBe(201);
      expect((await patch('lessee', first, { end_time: at(24, 1800) })).status).toBe(409);
      expect((await patch('admin', first, { end_time: at(24, 1800) })).status).toBe(409);
      const plain = await offerOn();
      expect((await claim(plain.offer, 'lessee', at(24), at(48))).status).toBe(201);
      expect((await claim(plain.offer, 'lessee', at(48), at(60))).status).toBe(201);
    });
  });

  it('follows the limits file as it changes (checked once a second)', async () => {
    const uuid = await leaseOf('lessee', at(-24), at(24));
    file.write(LIMITS.replace('self_service_extension: true', 'self_service_extension: false'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await patch('lessee', uuid, { end_time: at(30) })).body).toEqual(denied(uuid));
    file.write(LIMITS);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await patch('lessee', uuid, { end_time: at(30) })).status).toBe(200);
  });

  async function nodeOf(uuid: string): Promise<string> {
    return (await t.as('admin').get(`/v1/leases/${uuid}`)).body.resource_uuid;
  }
});

describe.each(testDatabaseKinds())('without a limits file, answers as upstream (%s)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ kind, clock: new ManualClock(NOW) });
  });
  afterAll(() => t.close());

  it('keeps lease:update for admins, upstream’s max_lease_time, and shows no quotas or limits', async () => {
    t.nodes.add('plain-1', { owner: P.owner });
    const offer = (
      await t
        .as('owner')
        .post('/v1/offers')
        .send({ resource_uuid: 'plain-1', start_time: at(-24), end_time: at(9600) })
    ).body.uuid;
    const lease = (
      await t
        .as('lessee')
        .post(`/v1/offers/${offer}/claim`)
        .send({ start_time: at(0), end_time: at(24) })
    ).body.uuid;
    expect(
      (
        await t
          .as('lessee')
          .patch(`/v1/leases/${lease}`)
          .send({ end_time: at(30) })
      ).body,
    ).toEqual(denied(lease));
    expect(
      (
        await t
          .as('admin')
          .patch(`/v1/leases/${lease}`)
          .send({ end_time: at(30) })
      ).status,
    ).toBe(200);
    const long = await t
      .as('lessee')
      .post(`/v1/offers/${offer}/claim`)
      .send({ start_time: at(100), end_time: at(100 + 21 * 24, 1) });
    expect(long.body).toEqual({
      faultcode: 'Client',
      faultstring: 'Attempted to create lease with an invalid time range. The max time range is 21 days.',
      debuginfo: null,
    });
    expect((await t.as('lessee').get('/v1/quotas')).body).toEqual({
      project_id: P.lessee,
      project: 'lessee',
      quotas: [],
      lease_limits: null,
    });
  });
});

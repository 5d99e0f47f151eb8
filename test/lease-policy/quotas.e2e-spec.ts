import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { BookingService, NewLeaseFields } from '../../src/leasing/booking/booking.service';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { hoursFrom, LimitsFile, NOW } from './limits-fixtures';

const LIMITS = `
quotas:
  default:
    nodes: 10
  ${P.other}:
    nodes: 2
    node_hours: 100
  ${P.owner2}:
    leases: 2
  ${P.lessee}:
    nodes: 3
    include_subprojects: true
`;

const at = hoursFrom(NOW);
const utc = (apiTime: string) => `${apiTime.replace('T', ' ')}.000000` as UtcTime;

describe.each(testDatabaseKinds())('project quotas (%s)', (kind) => {
  let t: TestApp;
  let file: LimitsFile;
  let seq = 0;

  const offer = async (): Promise<{ node: string; offer: string }> => {
    const node = `quota-${++seq}`;
    t.nodes.add(node, { owner: P.owner });
    const res = await t
      .as('owner')
      .post('/v1/offers')
      .send({ resource_uuid: node, start_time: at(-24), end_time: at(9600) });
    expect(res.status).toBe(201);
    return { node, offer: res.body.uuid };
  };
  const claim = async (persona: Persona, start: string, end: string) => {
    const { offer: uuid } = await offer();
    return t.as(persona).post(`/v1/offers/${uuid}/claim`).send({ start_time: start, end_time: end });
  };
  const leaseRows = (project: string) =>
    t.dataSource.query('SELECT uuid FROM leases WHERE project_id = ? ORDER BY id', [project]) as Promise<unknown[]>;

  beforeAll(async () => {
    file = new LimitsFile(LIMITS);
    t = await createTestApp({ kind, clock: new ManualClock(NOW), conf: file.conf() });
  });
  afterAll(async () => {
    await t.close();
    file.remove();
  });

  it('nodes (2 at once): up to the quota booked, beyond it a 403 naming the quota, the usage and the request', async () => {
    expect((await claim('otherLessee', at(24), at(48))).status).toBe(201);
    expect((await claim('otherLessee', at(36), at(40))).status).toBe(201);
    // Touching the two-node stretch, not overlapping it.
    expect((await claim('otherLessee', at(48), at(50))).status).toBe(201);
    const refused = await claim('otherLessee', at(39), at(45));
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      faultcode: 'Client',
      faultstring: `Quota exceeded for project ${P.other}: at most 2 nodes held at once; 2 in use at ${at(39)}, the request adds 1.`,
      debuginfo: null,
      quota: { project_id: P.other, name: 'nodes', limit: 2, usage: 2, requested: 1, at: at(39) },
    });
    expect(await leaseRows(P.other)).toHaveLength(3);
  });

  it('node_hours (100 in any 30 days): the rest of the quota booked exactly, a minute more refused', async () => {
    // 24 + 4 + 2 node-hours are booked already; 70 more in the same 30 days fill the quota.
    expect((await claim('otherLessee', at(100), at(170))).status).toBe(201);
    const refused = await claim('otherLessee', at(200), at(200, 60));
    expect(refused.status).toBe(403);
    expect(refused.body.quota).toEqual({
      project_id: P.other,
      name: 'node_hours',
      limit: 100,
      usage: 100,
      requested: 0.02,
      at: at(200 - 720, 60),
    });
    // 30 days after the first lease ended, its node-hours no longer count.
    expect((await claim('otherLessee', at(48 + 720), at(48 + 720 + 20))).status).toBe(201);
  });

  it('leases (2 open): counts open leases whatever their windows', async () => {
    expect((await claim('owner2', at(24), at(25))).status).toBe(201);
    expect((await claim('owner2', at(2000), at(2001))).status).toBe(201);
    const refused = await claim('owner2', at(5000), at(5001));
    expect(refused.body.quota).toEqual({
      project_id: P.owner2,
      name: 'leases',
      limit: 2,
      usage: 2,
      requested: 1,
      at: null,
    });
    const [first] = (await t.dataSource.query('SELECT uuid FROM leases WHERE project_id = ? ORDER BY id', [
      P.owner2,
    ])) as {
      uuid: string;
    }[];
    expect((await t.as('owner2').delete(`/v1/leases/${first.uuid}`)).status).toBe(200);
    expect((await claim('owner2', at(5000), at(5001))).status).toBe(201);
  });

  it("counts sub-projects' leases towards a quota that includes them, besides their own", async () => {
    expect((await claim('lessee', at(3000), at(3010))).status).toBe(201);
    expect((await claim('childLessee', at(3000), at(3010))).status).toBe(201);
    expect((await claim('grandchildLessee', at(3000), at(3010))).status).toBe(201);
    const refused = await claim('childLessee', at(3005), at(3006));
    expect(refused.body.quota).toMatchObject({ project_id: P.lessee, name: 'nodes', limit: 3, usage: 3, requested: 1 });
    // The child's own quota (the default, 10) has room: only the parent's refuses.
    expect((await claim('childLessee', at(3010), at(3011))).status).toBe(201);
  });

  it('holds for extensions (an admin’s too) and for groups, all or nothing', async () => {
    const first = (await claim('otherLessee', at(4000), at(4010))).body.uuid;
    expect((await claim('otherLessee', at(4020), at(4030))).status).toBe(201);
    expect((await claim('otherLessee', at(4020), at(4030))).status).toBe(201);
    const extension = await t
      .as('admin')
      .patch(`/v1/leases/${first}`)
      .send({ end_time: at(4021) });
    expect(extension.status).toBe(403);
    expect(extension.body.quota).toMatchObject({ name: 'nodes', usage: 2, requested: 1, at: at(4020) });

    const booking = t.app.get(BookingService);
    const nodes = [await offer(), await offer(), await offer()].map((o) => o.node);
    const member = (node: string): NewLeaseFields => ({
      name: null,
      projectId: P.other,
      ownerId: P.owner,
      purpose: null,
      resourceType: 'test_node',
      resourceUuid: node,
      start: utc(at(4100)),
      end: utc(at(4101)),
      properties: {},
      offerUuid: null,
      parentLeaseUuid: null,
    });
    await t.dataSource.query("UPDATE offers SET status = 'deleted' WHERE resource_uuid IN (?, ?, ?)", nodes);
    const before = (await leaseRows(P.other)).length;
    await expect(booking.createLeases(nodes.map(member))).rejects.toMatchObject({
      status: 403,
      details: { quota: expect.objectContaining({ name: 'nodes', usage: 0, requested: 3 }) },
    });
    expect(await leaseRows(P.other)).toHaveLength(before);
    await booking.createLeases(nodes.slice(0, 2).map(member));
    expect(await leaseRows(P.other)).toHaveLength(before + 2);
  });

  describe('GET /v1/quotas', () => {
    it("shows the caller's quotas: limits, usage now and the peak ahead", async () => {
      const res = await t.as('otherLessee').get('/v1/quotas');
      expect(res.status).toBe(200);
      expect(res.body.project_id).toBe(P.other);
      expect(res.body.project).toBe('other');
      expect(res.body.lease_limits).toEqual({
        self_service_extension: false,
        by_resource_class: [
          {
            resource_class: null,
            max_lease_length: 21 * 86_400,
            max_total_length: null,
            extension_window: null,
            max_extension: null,
            booking_horizon: null,
            min_gap: 0,
          },
        ],
      });
      const byName = Object.fromEntries(res.body.quotas.map((q: any) => [q.name, q]));
      expect(byName.nodes).toEqual({
        name: 'nodes',
        project_id: P.other,
        include_subprojects: false,
        limit: 2,
        in_use: 0,
        peak: 2,
        peak_at: at(36),
      });
      expect(byName.node_hours).toMatchObject({ limit: 100, in_use: 0, peak: 100 });
      expect(byName.leases).toMatchObject({ limit: null, in_use: (await leaseRows(P.other)).length });
    });

    it("shows a sub-project its own quota and its parent's that includes it", async () => {
      const res = await t.as('childLessee').get('/v1/quotas');
      expect(res.body.quotas.filter((q: any) => q.name === 'nodes')).toEqual([
        expect.objectContaining({ project_id: P.child, include_subprojects: false, limit: 10, peak: 1 }),
        expect.objectContaining({ project_id: P.lessee, include_subprojects: true, limit: 3, peak: 3 }),
      ]);
    });

    it('shows another project only to admins; an unknown argument is a 400', async () => {
      const other = await t.as('lessee').get(`/v1/quotas?project_id=${P.other}`);
      expect(other.status).toBe(403);
      expect(other.body.faultstring).toBe(`Access was denied to project ${P.other}.`);
      const admin = await t.as('admin').get('/v1/quotas?project_id=other');
      expect(admin.status).toBe(200);
      expect(admin.body.project_id).toBe(P.other);
      expect((await t.as('lessee').get('/v1/quotas?project=x')).status).toBe(400);
    });
  });
});

import { InsufficientCapacity, InvalidConstraint } from '../../src/common/errors/esi-leap.exceptions';
import { UtcTime } from '../../src/common/time';
import { NodeHealthEntity } from '../../src/leasing/health/node-health.entity';
import { CapacityAsk, CapacitySelector } from '../../src/leasing/selection/capacity-selector';
import { SelectionModule } from '../../src/leasing/selection/selection.module';
import { LimitsFile } from '../lease-policy/limits-fixtures';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P, Persona, PERSONAS } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';

const t0 = (day: number, hour = 0) =>
  `2040-01-${String(day).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00:00.000000` as UtcTime;
const creds = (persona: Persona) => ({
  user_id: `user-of-${persona}`,
  user_domain_id: null,
  system_scope: null,
  domain_id: null,
  project_id: PERSONAS[persona].project,
  project_domain_id: null,
  roles: PERSONAS[persona].roles.split(',').filter(Boolean),
  is_admin_project: false,
  service_user_id: null,
  service_user_domain_id: null,
  service_project_id: null,
  service_project_domain_id: null,
  service_roles: [],
});

/**
 * CapacitySelector on a hand-built fleet: which nodes a lessee (offers) or an owner (owned
 * nodes) gets for a window, in which order, and the report when there are too few.
 *
 *   node  class      cpus  offer (owner's unless said)            bookings
 *   n1    baremetal   64   01-01..02-01, and 02-01..03-01 (one node all the same)
 *   n2    baremetal   32   01-01..01-10
 *   n3    baremetal   16   01-01..02-01
 *   n4    baremetal   64   01-01..01-25 for `other` only
 *   n5    gpu         64   01-01..02-01
 *   n6    baremetal   64   01-01..02-01                             claimed 01-02..01-04
 *   n7    baremetal   64   01-01..01-20 for `lessee` (and its children)
 *   n8    baremetal  128   01-01..02-01                             node recorded unhealthy
 *   c1    cleaned     64   01-01..02-01 (12 h cleaning time)       claimed 01-01..01-03
 *   m1    baremetal   64   owner2's, no offer
 *   m2    baremetal   64   owner2's, no offer                      leased directly 01-04..01-06
 *   m3    baremetal    8   owner2's offer 01-01..02-01
 */
describe.each(testDatabaseKinds())('CapacitySelector on %s', (kind) => {
  let t: TestApp;
  let selector: CapacitySelector;
  let limits: LimitsFile;
  const offers: Record<string, string> = {};

  const offer = async (persona: Persona, node: string, start: string, end: string, lessee?: string) => {
    const res = await t
      .as(persona)
      .post('/v1/offers')
      .send({ resource_uuid: node, start_time: start, end_time: end, ...(lessee ? { lessee_id: lessee } : {}) });
    expect(res.status).toBe(201);
    return res.body.uuid as string;
  };
  const ask = (persona: Persona, overrides: Partial<CapacityAsk> = {}): CapacityAsk => ({
    creds: creds(persona),
    projectId: PERSONAS[persona].project,
    source: 'offers',
    resourceClass: 'baremetal',
    constraints: ['cpus>=32'],
    start: t0(3),
    end: t0(5),
    count: 1,
    ...overrides,
  });
  const uuids = (selected: { resourceUuid: string }[]) => selected.map((s) => s.resourceUuid);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InsufficientCapacity);
    return error as InsufficientCapacity;
  };

  beforeAll(async () => {
    limits = new LimitsFile('resource_classes:\n  cleaned:\n    min_gap: 12h\n');
    t = await createTestApp({ kind, imports: [SelectionModule], conf: limits.conf() });
    selector = t.app.get(CapacitySelector);
    const node = (uuid: string, cpus: number, resourceClass = 'baremetal', owner: string = P.owner) =>
      t.nodes.add(uuid, { owner, resourceClass, properties: { cpus } });
    node('n1', 64);
    node('n2', 32);
    node('n3', 16);
    node('n4', 64);
    node('n5', 64, 'gpu');
    node('n6', 64);
    node('n7', 64);
    node('n8', 128);
    node('c1', 64, 'cleaned');
    node('m1', 64, 'baremetal', P.owner2);
    node('m2', 64, 'baremetal', P.owner2);
    node('m3', 8, 'baremetal', P.owner2);
    const jan = '2040-01-01T00:00:00';
    const feb = '2040-02-01T00:00:00';
    offers.n1 = await offer('owner', 'n1', jan, feb);
    offers.n1later = await offer('owner', 'n1', feb, '2040-03-01T00:00:00');
    offers.n2 = await offer('owner', 'n2', jan, '2040-01-10T00:00:00');
    offers.n3 = await offer('owner', 'n3', jan, feb);
    offers.n4 = await offer('owner', 'n4', jan, '2040-01-25T00:00:00', P.other);
    offers.n5 = await offer('owner', 'n5', jan, feb);
    offers.n6 = await offer('owner', 'n6', jan, feb);
    offers.n7 = await offer('owner', 'n7', jan, '2040-01-20T00:00:00', P.lessee);
    offers.n8 = await offer('owner', 'n8', jan, feb);
    offers.c1 = await offer('owner', 'c1', jan, feb);
    offers.m3 = await offer('owner2', 'm3', jan, feb);
    const claim = async (offerUuid: string, start: UtcTime, end: UtcTime) => {
      const res = await t
        .as('otherLessee')
        .post(`/v1/offers/${offerUuid}/claim`)
        .send({ start_time: start, end_time: end });
      expect(res.status).toBe(201);
    };
    await claim(offers.n6, t0(2), t0(4));
    await claim(offers.c1, t0(1), t0(3));
    const direct = await t
      .as('owner2')
      .post('/v1/leases')
      .send({ resource_uuid: 'm2', project_id: P.lessee, start_time: t0(4), end_time: t0(6) });
    expect(direct.status).toBe(201);
    await t.dataSource.getRepository(NodeHealthEntity).insert({
      resourceType: 'test_node',
      resourceUuid: 'n8',
      state: 'unhealthy',
      reason: 'in maintenance',
      owner: P.owner,
      resourceClass: 'baremetal',
      ownerHandoverFrom: null,
      observedAt: t0(1),
      updatedAt: t0(1),
    });
  });
  afterAll(async () => {
    await t.close();
    limits.remove();
  });

  it('returns every matching free node the lessee may claim, tightest offer first, with the offer to claim', async () => {
    const selected = await selector.select(ask('lessee', { count: 2 }));
    // n2's offer leaves 7 days around the window, n7's 17, n1's 29.
    expect(selected).toEqual([
      {
        resourceType: 'test_node',
        resourceUuid: 'n2',
        resourceName: 'test-node-n2',
        ownerId: P.owner,
        offerUuid: offers.n2,
        parentLeaseUuid: null,
      },
      {
        resourceType: 'test_node',
        resourceUuid: 'n7',
        resourceName: 'test-node-n7',
        ownerId: P.owner,
        offerUuid: offers.n7,
        parentLeaseUuid: null,
      },
      {
        resourceType: 'test_node',
        resourceUuid: 'n1',
        resourceName: 'test-node-n1',
        ownerId: P.owner,
        offerUuid: offers.n1,
        parentLeaseUuid: null,
      },
    ]);
  });

  it('shows offers restricted to a parent project to its children, not to another project', async () => {
    expect(uuids(await selector.select(ask('childLessee')))).toEqual(['n2', 'n7', 'n1']);
    // `other` sees n4 (restricted to it, 22 days of slack), not n7; n6 is still taken by its own claim.
    expect(uuids(await selector.select(ask('otherLessee')))).toEqual(['n2', 'n4', 'n1']);
  });

  it('never offers the caller its own offers', async () => {
    // owner2 may claim owner's unrestricted offers, but not m3, its own; n3 and n1 tie (29 days).
    const selected = uuids(await selector.select(ask('owner2', { constraints: [] })));
    expect(selected[0]).toBe('n2');
    expect([...selected].sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('drops the nodes given as lost to a race', async () => {
    expect(uuids(await selector.select(ask('lessee'), new Set(['n2'])))).toEqual(['n7', 'n1']);
  });

  it('reports, when too few are free, what the caller could book, what matched, what was free and when enough would be', async () => {
    const error = await refusal(selector.select(ask('lessee', { count: 4 })));
    expect(error.status).toBe(409);
    expect(error.details).toEqual({
      capacity: {
        requested: 4,
        // n1, n2, n3, n6, n7, n8, m3: n4 is not for the lessee, n5 of another class.
        candidates: 7,
        // Less n3 and m3.
        matching: 5,
        // n2, n7, n1: n6 is claimed, n8 unhealthy.
        free: 3,
        most_excluding: 'cpus>=32',
        constraints: [{ constraint: 'cpus>=32', excluded: 2, excluded_only_by_this: 2 }],
        // n6 is free again once its claim ends; n8 stays unhealthy.
        earliest_window: { start_time: '2040-01-04T00:00:00', end_time: '2040-01-06T00:00:00' },
      },
    });
    expect(error.message).toBe(
      'Only 3 of 4 requested nodes are free from 2040-01-03T00:00:00 to 2040-01-05T00:00:00: 5 match the ' +
        "constraints (of 7 you can book; 'cpus>=32' excluded 2). The earliest window with 4 free is " +
        '2040-01-04T00:00:00 to 2040-01-06T00:00:00.',
    );
  });

  it('keeps the cleaning time after a lease, and the booking path refuses that time too', async () => {
    const cleaned = ask('lessee', { resourceClass: 'cleaned', constraints: [] });
    const error = await refusal(selector.select(cleaned));
    expect(error.details.capacity).toMatchObject({
      candidates: 1,
      matching: 1,
      free: 0,
      earliest_window: { start_time: '2040-01-03T12:00:00', end_time: '2040-01-05T12:00:00' },
    });
    const claim = await t
      .as('lessee')
      .post(`/v1/offers/${offers.c1}/claim`)
      .send({ start_time: t0(3), end_time: t0(5) });
    expect(claim.status).toBe(409);
    expect(uuids(await selector.select({ ...cleaned, start: t0(3, 12), end: t0(5, 12) }))).toEqual(['c1']);
  });

  it("selects an owner's own free nodes for a direct lease, owned by it", async () => {
    const selected = await selector.select(ask('owner2', { source: 'owned', constraints: [] }));
    // m2 is leased over the window, m3 is on offer.
    expect(selected).toEqual([
      {
        resourceType: 'test_node',
        resourceUuid: 'm1',
        resourceName: 'test-node-m1',
        ownerId: P.owner2,
        offerUuid: null,
        parentLeaseUuid: null,
      },
    ]);
  });

  it('lets an admin select any free node directly, as owned by its owner', async () => {
    const selected = await selector.select(
      ask('admin', { source: 'owned', constraints: ['cpus>=64'], start: t0(6), end: t0(7) }),
    );
    // Not on offer and not leased from 01-06: m1 and m2 (owner2's).
    expect(selected.map((s) => [s.resourceUuid, s.ownerId]).sort()).toEqual([
      ['m1', P.owner2],
      ['m2', P.owner2],
    ]);
  });

  it('refuses a malformed constraint as a 400 before reading anything', async () => {
    await expect(selector.select(ask('lessee', { constraints: ['cpus>>3'] }))).rejects.toBeInstanceOf(
      InvalidConstraint,
    );
  });
});

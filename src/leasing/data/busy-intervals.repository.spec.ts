import { randomUUID } from 'node:crypto';
import { UtcTime } from '../../common/time';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../../../test/helpers/test-databases';
import { NodeHealthEntity, NodeHealthState } from '../health/node-health.entity';
import { BusyIntervalsRepository, overlapsAny } from './busy-intervals.repository';
import { LeaseEntity } from './lease.entity';
import { OfferEntity } from './offer.entity';
import { LeaseStatusName, OfferStatusName } from './statuses';

const t = (day: number) => `2031-05-${String(day).padStart(2, '0')} 00:00:00.000000` as UtcTime;

describe.each(testDatabaseKinds())('BusyIntervalsRepository on %s', (kind) => {
  let db: TestDatabase;
  let repo: BusyIntervalsRepository;
  let open: OfferEntity;
  let other: OfferEntity;
  let withdrawn: OfferEntity;

  const offer = (status: OfferStatusName) =>
    db.dataSource.getRepository(OfferEntity).save({
      uuid: randomUUID(),
      name: null,
      projectId: 'owner',
      lesseeId: null,
      resourceType: 'test_node',
      resourceUuid: `busy-${randomUUID().slice(0, 8)}`,
      startTime: t(1),
      endTime: t(28),
      status,
      properties: {},
      parentLeaseUuid: null,
      createdAt: t(1),
      updatedAt: null,
    });
  const lease = (o: OfferEntity, start: number, end: number, status: LeaseStatusName) =>
    db.dataSource.getRepository(LeaseEntity).save({
      uuid: randomUUID(),
      name: null,
      projectId: 'lessee',
      ownerId: 'owner',
      purpose: null,
      resourceType: 'test_node',
      resourceUuid: o.resourceUuid,
      startTime: t(start),
      endTime: t(end),
      fulfillTime: null,
      expireTime: null,
      status,
      properties: {},
      offerUuid: o.uuid,
      parentLeaseUuid: null,
      createdAt: t(1),
      updatedAt: null,
    });
  const sorted = (intervals: readonly (readonly [UtcTime, UtcTime])[] | undefined) => [...(intervals ?? [])].sort();

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    repo = new BusyIntervalsRepository(db.dataSource);
    open = await offer('available');
    other = await offer('available');
    withdrawn = await offer('deleted');
    await lease(open, 2, 4, 'active');
    await lease(open, 6, 8, 'created');
    await lease(open, 10, 12, 'deleted');
    await lease(open, 14, 16, 'wait cancel');
    await lease(open, 1, 2, 'error');
    await lease(other, 3, 5, 'expired');
    await lease(withdrawn, 2, 4, 'active');
  });
  afterAll(() => db.drop());

  it('reads the occupying leases of the offers asked for, by id or by uuid alike', async () => {
    const byId = await repo.ofOffers<number>({ ids: [open.id, other.id] }, t(1));
    const byUuid = await repo.ofOffers<string>({ uuids: [open.uuid, other.uuid] }, t(1));
    const expected = [
      [t(1), t(2)],
      [t(2), t(4)],
      [t(6), t(8)],
      [t(14), t(16)],
    ];
    expect(sorted(byId.get(open.id))).toEqual(expected);
    expect(sorted(byUuid.get(open.uuid))).toEqual(expected);
    // Deleted and expired leases do not make an offer busy.
    expect(byId.has(other.id)).toBe(false);
  });

  it('leaves out intervals over by the time asked for, and answers nothing for no offers', async () => {
    expect(sorted((await repo.ofOffers<number>({ ids: [open.id] }, t(5))).get(open.id))).toEqual([
      [t(6), t(8)],
      [t(14), t(16)],
    ]);
    expect(await repo.ofOffers({ ids: [] }, t(1))).toEqual(new Map());
  });

  it('shows one offer with its intervals in one round trip; a withdrawn offer has none', async () => {
    const shown = await repo.offerWithIntervals(open.uuid, t(5));
    expect(shown?.offer).toMatchObject({ uuid: open.uuid, status: 'available', startTime: t(1) });
    expect(sorted(shown?.busy)).toEqual([
      [t(6), t(8)],
      [t(14), t(16)],
    ]);
    expect((await repo.offerWithIntervals(withdrawn.uuid, t(1)))?.busy).toEqual([]);
    expect(await repo.offerWithIntervals(randomUUID(), t(1))).toBeNull();
  });

  it("shows one offer with its node's health problem: unhealthy or gone, not healthy or unrecorded", async () => {
    const onNode = async (state: NodeHealthState | null, reason: string | null) => {
      const o = await offer('available');
      await lease(o, 6, 8, 'active');
      if (state) {
        await db.dataSource.getRepository(NodeHealthEntity).insert({
          resourceType: o.resourceType,
          resourceUuid: o.resourceUuid,
          state,
          reason,
          owner: null,
          resourceClass: null,
          ownerHandoverFrom: null,
          observedAt: t(1),
          updatedAt: t(1),
        });
      }
      return repo.offerWithIntervals(o.uuid, t(1));
    };
    const unhealthy = await onNode('unhealthy', 'power fault');
    expect(unhealthy?.nodeProblem).toBe('power fault');
    expect(unhealthy?.busy).toEqual([[t(6), t(8)]]);
    expect((await onNode('gone', null))?.nodeProblem).toBe('unhealthy');
    expect((await onNode('healthy', null))?.nodeProblem).toBeNull();
    expect((await onNode(null, null))?.nodeProblem).toBeNull();
    expect((await repo.offerWithIntervals(open.uuid, t(5)))?.nodeProblem).toBeNull();
  });

  it('overlapsAny treats windows as half-open', () => {
    const busy = [[t(2), t(4)]] as const;
    expect(overlapsAny(busy, t(4), t(5))).toBe(false);
    expect(overlapsAny(busy, t(1), t(2))).toBe(false);
    expect(overlapsAny(busy, t(3), t(5))).toBe(true);
    expect(overlapsAny(undefined, t(1), t(9))).toBe(false);
  });
});

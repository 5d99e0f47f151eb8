import { EntityManager } from 'typeorm';
import { ManualClock } from '../../common/clock';
import {
  InvalidTimeRange,
  LeaseChildrenOutlast,
  LeaseNotActive,
  LeaseNoTimeAvailabilities,
  OfferNotAvailable,
  OfferNoTimeAvailabilities,
  ResourceTimeConflict,
} from '../../common/errors/esi-leap.exceptions';
import { UtcTime } from '../../common/time';
import { TransactionRunner } from '../../db/transaction-runner';
import { createTestDatabase, TestDatabase } from '../../../test/helpers/test-databases';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OffersRepository } from '../data/offers.repository';
import { BookingCandidate, BookingGuard } from './booking-guard';
import { BookingService, NewLeaseFields } from './booking.service';
import { ConflictChecks } from './conflict-checks';
import { LeaseScheduleNotifier } from './lease-schedule.notifier';

/** These tests look at the booking, not at the event an end change records. */
const RECORD_NOTHING = { record: async () => undefined };
const t = (day: number) => `2031-01-${String(day).padStart(2, '0')} 00:00:00.000000` as UtcTime;

/** Records what the booking path showed it, and refuses on demand. */
class RecordingGuard implements BookingGuard {
  readonly seen: { phase: 'before' | 'check'; candidates: readonly BookingCandidate[]; inTransaction: boolean }[] = [];
  refuse: Error | null = null;

  async beforeLocking(candidates: readonly BookingCandidate[]): Promise<void> {
    this.seen.push({ phase: 'before', candidates, inTransaction: false });
  }

  async check(em: EntityManager, candidates: readonly BookingCandidate[]): Promise<void> {
    this.seen.push({ phase: 'check', candidates, inTransaction: em.queryRunner?.isTransactionActive ?? false });
    if (this.refuse) throw this.refuse;
  }
}

describe('BookingService (the one booking path), on SQLite', () => {
  let db: TestDatabase;
  let booking: BookingService;
  let leases: LeasesRepository;
  let guard: RecordingGuard;
  let woken = 0;

  const lease = (
    uuidOfNode: string,
    start: number,
    end: number,
    more: Partial<NewLeaseFields> = {},
  ): NewLeaseFields => ({
    name: null,
    projectId: 'lessee',
    ownerId: 'owner',
    purpose: null,
    resourceType: 'test_node',
    resourceUuid: uuidOfNode,
    start: t(start),
    end: t(end),
    properties: {},
    offerUuid: null,
    parentLeaseUuid: null,
    ...more,
  });
  const offer = (node: string, start: number, end: number, parentLeaseUuid: string | null = null) =>
    booking.createOffer({
      name: null,
      projectId: 'owner',
      lesseeId: null,
      resourceType: 'test_node',
      resourceUuid: node,
      start: t(start),
      end: t(end),
      properties: {},
      parentLeaseUuid,
    });
  const setStatus = (uuid: string, status: LeaseEntity['status']) =>
    db.dataSource.getRepository(LeaseEntity).update({ uuid }, { status });

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    leases = new LeasesRepository(db.dataSource);
    const offers = new OffersRepository(db.dataSource);
    const notifier = new LeaseScheduleNotifier();
    notifier.subscribe(() => woken++);
    guard = new RecordingGuard();
    booking = new BookingService(
      new TransactionRunner(db.dataSource),
      new ManualClock(t(1)),
      offers,
      leases,
      new ConflictChecks(offers, leases),
      notifier,
      [guard],
    );
  });
  afterAll(() => db.drop());
  beforeEach(() => {
    guard.seen.length = 0;
    guard.refuse = null;
  });

  it('books a lease on a free resource, runs every guard before locking and inside the transaction, and wakes the manager', async () => {
    const before = woken;
    const created = await booking.createLease(lease('n1', 2, 4));
    expect(created).toMatchObject({ status: 'created', resourceUuid: 'n1', startTime: t(2), endTime: t(4) });
    expect(guard.seen.map((s) => [s.phase, s.inTransaction, s.candidates.map((c) => c.kind)])).toEqual([
      ['before', false, ['lease']],
      ['check', true, ['lease']],
    ]);
    expect(woken).toBe(before + 1);
  });

  it('refuses an overlapping lease or offer on the resource, and a touching one passes', async () => {
    await expect(booking.createLease(lease('n1', 3, 5))).rejects.toBeInstanceOf(ResourceTimeConflict);
    await expect(offer('n1', 1, 3)).rejects.toBeInstanceOf(ResourceTimeConflict);
    await expect(booking.createLease(lease('n1', 4, 6))).resolves.toMatchObject({ startTime: t(4) });
  });

  it('reports an inverted window only after the resource is locked', async () => {
    await expect(booking.createLease(lease('n2', 5, 5))).rejects.toBeInstanceOf(InvalidTimeRange);
  });

  it('claims inside an available offer only, within its window and free of its other leases', async () => {
    const o = await offer('n3', 1, 10);
    const first = await booking.createLease(lease('n3', 2, 3, { offerUuid: o.uuid }));
    await expect(booking.createLease(lease('n3', 2, 4, { offerUuid: o.uuid }))).rejects.toBeInstanceOf(
      OfferNoTimeAvailabilities,
    );
    await expect(booking.createLease(lease('n3', 9, 11, { offerUuid: o.uuid }))).rejects.toBeInstanceOf(
      OfferNoTimeAvailabilities,
    );
    await db.dataSource.query("UPDATE offers SET status = 'deleted' WHERE uuid = ?", [o.uuid]);
    await expect(booking.createLease(lease('n3', 5, 6, { offerUuid: o.uuid }))).rejects.toBeInstanceOf(
      OfferNotAvailable,
    );
    expect(first.offerUuid).toBe(o.uuid);
  });

  it('books inside a parent lease only while the parent is active', async () => {
    const parent = await booking.createLease(lease('n4', 1, 10));
    await expect(booking.createLease(lease('n4', 2, 3, { parentLeaseUuid: parent.uuid }))).rejects.toBeInstanceOf(
      LeaseNotActive,
    );
    await setStatus(parent.uuid, 'active');
    await booking.createLease(lease('n4', 2, 3, { parentLeaseUuid: parent.uuid }));
    await expect(offer('n4', 2, 4, parent.uuid)).rejects.toBeInstanceOf(LeaseNoTimeAvailabilities);
    await expect(offer('n4', 3, 11, parent.uuid)).rejects.toBeInstanceOf(LeaseNoTimeAvailabilities);
    await expect(offer('n4', 3, 5, parent.uuid)).resolves.toMatchObject({ parentLeaseUuid: parent.uuid });
    await setStatus(parent.uuid, 'wait cancel');
    await expect(booking.createLease(lease('n4', 6, 7, { parentLeaseUuid: parent.uuid }))).rejects.toBeInstanceOf(
      LeaseNotActive,
    );
  });

  it('books the added window of an extension as a booking of its own, and guards see it as an extension', async () => {
    const current = await booking.createLease(lease('n5', 2, 4));
    await booking.createLease(lease('n5', 6, 8));
    guard.seen.length = 0;
    const extended = await booking.changeLeaseEnd(current.uuid, current, t(6), RECORD_NOTHING);
    expect(extended.endTime).toBe(t(6));
    expect(guard.seen.find((s) => s.phase === 'check')?.candidates).toEqual([
      expect.objectContaining({
        kind: 'extension',
        start: t(4),
        end: t(6),
        current: expect.objectContaining({ uuid: current.uuid }),
      }),
    ]);
    await expect(booking.changeLeaseEnd(current.uuid, current, t(7), RECORD_NOTHING)).rejects.toBeInstanceOf(
      ResourceTimeConflict,
    );
    expect((await leases.findByUuid(current.uuid))?.endTime).toBe(t(6));
  });

  it('does not end a parent before the sub-leases or sub-offers inside it', async () => {
    const parent = await booking.createLease(lease('n6', 1, 10));
    await setStatus(parent.uuid, 'active');
    await booking.createLease(lease('n6', 2, 5, { parentLeaseUuid: parent.uuid }));
    await expect(booking.changeLeaseEnd(parent.uuid, parent, t(4), RECORD_NOTHING)).rejects.toBeInstanceOf(
      LeaseChildrenOutlast,
    );
    await expect(booking.changeLeaseEnd(parent.uuid, parent, t(5), RECORD_NOTHING)).resolves.toMatchObject({
      endTime: t(5),
    });
  });

  it('books a group all or nothing: one member in conflict leaves none', async () => {
    await booking.createLease(lease('g2', 2, 4));
    await expect(
      booking.createLeases([lease('g1', 2, 4), lease('g2', 3, 5), lease('g3', 2, 4)]),
    ).rejects.toBeInstanceOf(ResourceTimeConflict);
    expect(await leases.findByUuids([])).toEqual([]);
    const onGroupNodes = await db.dataSource.query(
      "SELECT resource_uuid FROM leases WHERE resource_uuid IN ('g1', 'g3')",
    );
    expect(onGroupNodes).toEqual([]);
    const group = await booking.createLeases([lease('g3', 2, 4), lease('g1', 2, 4)]);
    expect(group.map((l) => l.resourceUuid)).toEqual(['g3', 'g1']);
    // Each returned lease carries the id of its own row.
    const rows = (await db.dataSource.query(
      "SELECT id, uuid, resource_uuid FROM leases WHERE resource_uuid IN ('g1', 'g3') ORDER BY resource_uuid DESC",
    )) as { id: number; uuid: string; resource_uuid: string }[];
    expect(group.map((l) => ({ id: l.id, uuid: l.uuid, resource_uuid: l.resourceUuid }))).toEqual(rows);
  });

  it('writes nothing when a guard refuses, and shows it every member of a group at once', async () => {
    guard.refuse = new Error('over quota');
    await expect(booking.createLeases([lease('h1', 2, 4), lease('h2', 2, 4)])).rejects.toThrow('over quota');
    expect(guard.seen.find((s) => s.phase === 'check')?.candidates.map((c) => c.resourceUuid)).toEqual(['h1', 'h2']);
    expect(await db.dataSource.query("SELECT uuid FROM leases WHERE resource_uuid IN ('h1', 'h2')")).toEqual([]);
  });
});

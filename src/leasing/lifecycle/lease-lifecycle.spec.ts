import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../common/clock';
import { UtcTime } from '../../common/time';
import { loadConfig } from '../../config/config-loader';
import { ConsoleAuthTokensRepository } from '../../console/tokens/console-auth-tokens.repository';
import { TransactionRunner } from '../../db/transaction-runner';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { createTestDatabase, TestDatabase } from '../../../test/helpers/test-databases';
import { TestNodeDriver } from '../../../test/support/test-node.driver';
import { EventsRepository } from '../data/events.repository';
import { LeaseEntity } from '../data/lease.entity';
import { LeaseSnapshotsRepository } from '../data/lease-snapshots.repository';
import { LeaseWorkRepository } from '../data/lease-work.repository';
import { LeasesRepository } from '../data/leases.repository';
import { OfferEntity } from '../data/offer.entity';
import { OffersRepository } from '../data/offers.repository';
import { LeaseStatusName, OfferStatusName } from '../data/statuses';
import { DriverFailureBackoff } from './driver-failure-backoff';
import { EventRecorder } from './event-recorder';
import { LeaseClaims } from './lease-claims';
import { LeaseLifecycle } from './lease-lifecycle';
import { NodeHandover } from './node-handover';
import { TransitionRecorder } from './transition-recorder';

const t = (day: number) => `2031-03-${String(day).padStart(2, '0')} 00:00:00.000000` as UtcTime;

describe('LeaseLifecycle (the one transition path), on SQLite', () => {
  let db: TestDatabase;
  let clock: ManualClock;
  let driver: TestNodeDriver;
  let lifecycle: LeaseLifecycle;
  let claims: LeaseClaims;

  const insertLease = async (node: string, fields: Partial<LeaseEntity> = {}): Promise<LeaseEntity> =>
    db.dataSource.getRepository(LeaseEntity).save({
      uuid: randomUUID(),
      name: null,
      projectId: 'lessee',
      ownerId: 'owner',
      purpose: null,
      resourceType: 'test_node',
      resourceUuid: node,
      startTime: t(1),
      endTime: t(20),
      fulfillTime: null,
      expireTime: null,
      status: 'created' as LeaseStatusName,
      properties: {},
      offerUuid: null,
      parentLeaseUuid: null,
      createdAt: t(1),
      updatedAt: null,
      ...fields,
    });
  const insertOffer = async (node: string, fields: Partial<OfferEntity> = {}): Promise<OfferEntity> =>
    db.dataSource.getRepository(OfferEntity).save({
      uuid: randomUUID(),
      name: null,
      projectId: 'owner',
      lesseeId: null,
      resourceType: 'test_node',
      resourceUuid: node,
      startTime: t(1),
      endTime: t(20),
      status: 'available' as OfferStatusName,
      properties: {},
      parentLeaseUuid: null,
      createdAt: t(1),
      updatedAt: null,
      ...fields,
    });
  const statusOf = async (uuid: string) =>
    (await db.dataSource.getRepository(LeaseEntity).findOneByOrFail({ uuid })).status;
  const offerStatusOf = async (uuid: string) =>
    (await db.dataSource.getRepository(OfferEntity).findOneByOrFail({ uuid })).status;
  const eventsOf = async (uuid: string) =>
    (await db.dataSource.query('SELECT event_type FROM events WHERE object_uuid = ? ORDER BY id', [uuid])).map(
      (r: { event_type: string }) => r.event_type,
    );

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    clock = new ManualClock(t(2));
    driver = new TestNodeDriver();
    const { config } = loadConfig({ configFiles: [], env: {} });
    const leases = new LeasesRepository(db.dataSource);
    const offers = new OffersRepository(db.dataSource);
    const work = new LeaseWorkRepository(db.dataSource);
    const tx = new TransactionRunner(db.dataSource);
    claims = new LeaseClaims(config, clock, work);
    const events = new EventRecorder(
      { keepSnapshots: false, minimumLevel: 'info' },
      new EventsRepository(db.dataSource),
      new LeaseSnapshotsRepository(db.dataSource),
    );
    const recorder = new TransitionRecorder(
      events,
      leases,
      work,
      new DriverFailureBackoff(config, leases, work),
      new ConsoleAuthTokensRepository(db.dataSource),
    );
    lifecycle = new LeaseLifecycle(
      tx,
      clock,
      leases,
      offers,
      claims,
      new NodeHandover(new ResourceDriverRegistry([driver]), leases),
      recorder,
    );
  });
  afterAll(async () => {
    claims.onApplicationShutdown();
    await db.drop();
  });

  it('fulfils a due lease: node given, active, fulfill events, no claim left behind', async () => {
    driver.add('f1', { owner: 'owner' });
    const lease = await insertLease('f1');
    expect((await lifecycle.fulfil([lease.uuid])).get(lease.uuid)).toBe('done');
    expect(await statusOf(lease.uuid)).toBe('active');
    expect(driver.nodes.get('f1')).toMatchObject({ leaseUuid: lease.uuid, lessee: 'lessee' });
    expect(await eventsOf(lease.uuid)).toEqual(['esi_leap.lease.fulfill.start', 'esi_leap.lease.fulfill.end']);
    expect(await db.dataSource.query('SELECT * FROM lease_retries WHERE lease_uuid = ?', [lease.uuid])).toEqual([]);
  });

  it('cancels instead of fulfilling a due lease whose offer has ended', async () => {
    driver.add('f2', { owner: 'owner' });
    const offer = await insertOffer('f2', { status: 'deleted' });
    const lease = await insertLease('f2', { offerUuid: offer.uuid });
    expect((await lifecycle.fulfil([lease.uuid])).get(lease.uuid)).toBe('done');
    expect(await statusOf(lease.uuid)).toBe('deleted');
    expect(driver.nodes.get('f2')).toMatchObject({ leaseUuid: null });
    expect(await eventsOf(lease.uuid)).toEqual(['esi_leap.lease.delete.start', 'esi_leap.lease.delete.end']);
  });

  it('cancelling a parent ends, in one decision, its sub-leases, its sub-offers and their claims; no node is handed back', async () => {
    driver.add('c1', { owner: 'owner' });
    const parent = await insertLease('c1', { status: 'active', fulfillTime: t(1) });
    const child = await insertLease('c1', {
      status: 'active',
      projectId: 'sub',
      parentLeaseUuid: parent.uuid,
      startTime: t(3),
      endTime: t(5),
    });
    const subOffer = await insertOffer('c1', {
      projectId: 'lessee',
      parentLeaseUuid: parent.uuid,
      startTime: t(6),
      endTime: t(9),
    });
    const claimed = await insertLease('c1', {
      projectId: 'third',
      offerUuid: subOffer.uuid,
      parentLeaseUuid: parent.uuid,
      startTime: t(6),
      endTime: t(7),
    });
    driver.nodes.get('c1')!.leaseUuid = child.uuid;
    driver.nodes.get('c1')!.lessee = 'sub';

    expect(await lifecycle.cancelLease(parent.uuid)).toBe('done');
    expect(await Promise.all([parent, child, claimed].map((l) => statusOf(l.uuid)))).toEqual([
      'deleted',
      'deleted',
      'deleted',
    ]);
    expect(await offerStatusOf(subOffer.uuid)).toBe('deleted');
    expect(driver.nodes.get('c1')).toMatchObject({ leaseUuid: null, lessee: null });
    // The children's events come before their parent's.
    const order = (await db.dataSource.query(
      "SELECT object_uuid FROM events WHERE event_type = 'esi_leap.lease.delete.end' AND object_uuid IN (?, ?, ?) ORDER BY id",
      [parent.uuid, child.uuid, claimed.uuid],
    )) as { object_uuid: string }[];
    expect(order.map((r) => r.object_uuid).at(-1)).toBe(parent.uuid);
  });

  it('a sub-lease that ends on its own hands the node back to its active parent', async () => {
    driver.add('e1', { owner: 'owner' });
    const parent = await insertLease('e1', { status: 'active', endTime: t(20) });
    const child = await insertLease('e1', {
      status: 'active',
      projectId: 'sub',
      parentLeaseUuid: parent.uuid,
      startTime: t(2),
      endTime: t(3),
    });
    driver.nodes.get('e1')!.leaseUuid = child.uuid;
    clock.set(t(4));
    expect((await lifecycle.expireLeases([child.uuid])).get(child.uuid)).toBe('done');
    expect(await statusOf(child.uuid)).toBe('expired');
    expect(driver.nodes.get('e1')).toMatchObject({ leaseUuid: parent.uuid, lessee: 'lessee' });
    clock.set(t(2));
  });

  it('a driver failure leaves the lease waiting with back-off, and the retry finishes it', async () => {
    driver.add('r1', { owner: 'owner' });
    const lease = await insertLease('r1', { status: 'active' });
    driver.nodes.get('r1')!.leaseUuid = lease.uuid;
    driver.failingNodes.add('r1');
    expect(await lifecycle.cancelLease(lease.uuid)).toBe('retry');
    expect(await statusOf(lease.uuid)).toBe('wait cancel');
    const [row] = await db.dataSource.query('SELECT attempts, claimed_by FROM lease_retries WHERE lease_uuid = ?', [
      lease.uuid,
    ]);
    expect(row).toEqual({ attempts: 1, claimed_by: null });
    driver.failingNodes.delete('r1');
    expect((await lifecycle.finishEnds([lease.uuid])).get(lease.uuid)).toBe('done');
    expect(await statusOf(lease.uuid)).toBe('deleted');
    expect(await eventsOf(lease.uuid)).toEqual([
      'esi_leap.lease.delete.start',
      'esi_leap.lease.delete.error',
      'esi_leap.lease.delete.start',
      'esi_leap.lease.delete.end',
    ]);
  });

  it('leaves a node to the process that holds a claim on it; the lease waits in its decided status', async () => {
    driver.add('k1', { owner: 'owner' });
    const other = await insertLease('k1', { status: 'active', startTime: t(1), endTime: t(2) });
    const lease = await insertLease('k1', { status: 'active', startTime: t(2), endTime: t(9) });
    await db.dataSource.query(
      "INSERT INTO lease_retries (lease_uuid, attempts, claimed_by, claimed_until) VALUES (?, 0, 'another-process', ?)",
      [other.uuid, t(3)],
    );
    expect(await lifecycle.cancelLease(lease.uuid)).toBe('skipped');
    expect(await statusOf(lease.uuid)).toBe('wait cancel');
    // Once the other claim has lapsed, the manager's retry of pending ends takes it.
    clock.set(t(4));
    expect((await lifecycle.finishEnds([lease.uuid])).get(lease.uuid)).toBe('done');
    expect(await statusOf(lease.uuid)).toBe('deleted');
    clock.set(t(2));
  });

  it('expiring an offer expires it and the leases claimed from it together', async () => {
    driver.add('o1', { owner: 'owner' });
    const offer = await insertOffer('o1', { endTime: t(3) });
    const lease = await insertLease('o1', { offerUuid: offer.uuid, status: 'active', endTime: t(3) });
    clock.set(t(3));
    expect((await lifecycle.expireOffers([offer.uuid])).get(offer.uuid)).toBe('done');
    expect(await offerStatusOf(offer.uuid)).toBe('expired');
    expect(await statusOf(lease.uuid)).toBe('expired');
    clock.set(t(2));
  });
});

import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { TransactionRunner } from '../../src/db/transaction-runner';
import { LeaseSnapshotsRepository } from '../../src/leasing/data/lease-snapshots.repository';
import { LeasesRepository } from '../../src/leasing/data/leases.repository';
import { ResourceDriverRegistry } from '../../src/drivers/resource-driver.registry';
import { OutboxCursorsRepository } from '../../src/outbox/outbox-cursors.repository';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from '../../src/notifications/notifications.tokens';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { uuid5 } from '../../src/notifications/message-ids';
import { NotificationRelay } from '../../src/notifications/notification-relay';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import {
  createNotifyingApp,
  deleteBrokerObjects,
  ensureBrokerAndOslo,
  NotifyingApp,
  OsloListener,
  RABBIT,
  ReceivedNotification,
  uniqueName,
} from './notification-harness';

const T0 = '2030-01-01 00:00:00.000000' as UtcTime;

/** The `events` rows with the message id each must have arrived under. */
async function expectedMessages(dataSource: DataSource): Promise<Array<{ id: number; eventType: string; messageId: string }>> {
  const [{ identity }] = (await dataSource.query("SELECT identity FROM notification_cursors WHERE name = 'rabbit'")) as Array<{ identity: string }>;
  const rows = (await dataSource.query('SELECT id, event_type FROM events ORDER BY id')) as Array<{ id: number; event_type: string }>;
  return rows.map((r) => ({ id: Number(r.id), eventType: r.event_type, messageId: uuid5(identity, String(r.id)) }));
}

function byLease(received: ReceivedNotification[], leaseUuid: string): ReceivedNotification[] {
  return received.filter((n) => n.payload['esi_leap_object.data'].uuid === leaseUuid);
}

describe.each(testDatabaseKinds())('oslo.messaging notifications received by a real oslo listener (%s)', (kind) => {
  let t: NotifyingApp;
  let listener: OsloListener;
  const exchange = uniqueName('esi_leap_test');
  const topic = uniqueName('esi_leap_versioned_notifications');

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
    t = await createNotifyingApp({
      kind,
      now: T0,
      conf: [
        '[DEFAULT]',
        `transport_url = ${RABBIT}`,
        `control_exchange = ${exchange}`,
        '[notification]',
        `versioned_notifications_topics = ${topic}`,
        '[oslo_messaging_notifications]',
        'driver = messagingv2',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await listener?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
  });

  it('create → fulfil → expire, a cancel and a failed fulfilment arrive decoded, with the pre-transition payload', async () => {
    const jobs = t.app.get(ManagerJobs);
    const relay = t.app.get(NotificationRelay);
    t.nodes.add('node-a', { owner: P.owner, name: 'node-a', properties: { cpus: 32, lease_uuid: 'hidden' } });
    t.nodes.add('node-b', { owner: P.owner, name: 'node-b' });
    t.nodes.add('node-c', { owner: P.owner, name: 'node-c' });
    const create = async (node: string, start: string) => {
      const res = await t.as('owner').post('/v1/leases').send({
        resource_uuid: node,
        project_id: P.lessee,
        name: `lease-${node}`,
        start_time: start,
        end_time: '2030-01-03T00:00:00',
      });
      expect(res.status).toBe(201);
      return res.body.uuid as string;
    };
    const a = await create('node-a', '2030-01-02T00:00:00');
    const b = await create('node-b', '2030-01-02T00:00:00');
    const c = await create('node-c', '2030-01-02T12:00:00');

    t.clock.set('2030-01-02 00:00:01.000000' as UtcTime);
    await jobs.fulfillDueLeases();
    expect((await t.as('owner').delete(`/v1/leases/${b}`)).status).toBe(200);
    t.clock.set('2030-01-02 12:00:01.000000' as UtcTime);
    t.nodes.failNext(1);
    await jobs.fulfillDueLeases();
    t.clock.set('2030-01-03 00:00:01.000000' as UtcTime);
    await jobs.expireEndedLeases();

    const expected = await expectedMessages(t.dataSource);
    expect(await relay.relayPending()).toBe(expected.length);
    const received = await listener.waitFor(expected.length);

    expect(received.map((n) => n.message_id).sort()).toEqual(expected.map((e) => e.messageId).sort());
    // The listener reads the info and error queues concurrently (and hands messages to a thread
    // pool), so arrival order says nothing: every per-lease assertion below uses event order.
    const byEvent = new Map(expected.map((e, index) => [e.messageId, index]));
    const inEventOrder = [...received].sort((x, y) => byEvent.get(x.message_id)! - byEvent.get(y.message_id)!);
    expect(inEventOrder.map((n) => n.event_type)).toEqual(expected.map((e) => e.eventType));
    for (const n of received) {
      expect(n.publisher_id).toBe('esi-leap-manager.e2e-host');
      expect(n.priority).toBe(n.event_type.endsWith('.error') ? 'error' : 'info');
      expect(n.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/);
      expect(Object.keys(n.payload).sort()).toEqual([
        'esi_leap_object.data',
        'esi_leap_object.name',
        'esi_leap_object.namespace',
        'esi_leap_object.version',
      ]);
      expect(n.payload['esi_leap_object.name']).toBe('LeaseCRUDPayload');
      expect(n.payload['esi_leap_object.version']).toBe('1.0');
      expect(Object.keys(n.payload['esi_leap_object.data'])).toHaveLength(21);
    }

    const aEvents = byLease(inEventOrder, a);
    expect(aEvents.map((n) => n.event_type)).toEqual([
      'esi_leap.lease.fulfill.start',
      'esi_leap.lease.fulfill.end',
      'esi_leap.lease.delete.start',
      'esi_leap.lease.delete.end',
    ]);
    const fulfillEnd = aEvents[1].payload['esi_leap_object.data'];
    expect(fulfillEnd).toMatchObject({
      uuid: a,
      name: 'lease-node-a',
      project_id: P.lessee,
      owner_id: P.owner,
      resource_type: 'test_node',
      resource_uuid: 'node-a',
      start_time: '2030-01-02T00:00:00Z',
      end_time: '2030-01-03T00:00:00Z',
      fulfill_time: null,
      expire_time: null,
      status: 'created',
      properties: {},
      offer_uuid: null,
      parent_lease_uuid: null,
      node_name: 'node-a',
      node_uuid: 'node-a',
      node_provision_state: 'available',
      node_power_state: 'power off',
      node_properties: { cpus: 32 },
    });
    expect(aEvents[3].payload['esi_leap_object.data']).toMatchObject({
      status: 'active',
      fulfill_time: '2030-01-02T00:00:01Z',
      expire_time: null,
    });
    const bEvents = byLease(inEventOrder, b);
    expect(bEvents.map((n) => [n.event_type, n.payload['esi_leap_object.data'].status])).toEqual([
      ['esi_leap.lease.fulfill.start', 'created'],
      ['esi_leap.lease.fulfill.end', 'created'],
      ['esi_leap.lease.delete.start', 'active'],
      ['esi_leap.lease.delete.end', 'active'],
    ]);
    const cEvents = byLease(inEventOrder, c);
    expect(cEvents.map((n) => [n.event_type, n.priority, n.payload['esi_leap_object.data'].status])).toEqual([
      ['esi_leap.lease.fulfill.start', 'info', 'created'],
      ['esi_leap.lease.fulfill.error', 'error', 'created'],
      ['esi_leap.lease.delete.start', 'info', 'wait fulfill'],
      ['esi_leap.lease.delete.end', 'info', 'wait fulfill'],
    ]);
    expect(await relay.relayPending()).toBe(0);
  });

  it("a lease group: its leases' notifications arrive as single leases'; the group's own events stay off the bus", async () => {
    const relay = t.app.get(NotificationRelay);
    await relay.relayPending();
    const seen = (await listener.waitFor(0)).length;
    const [{ last }] = (await t.dataSource.query('SELECT COALESCE(MAX(id), 0) AS last FROM events')) as Array<{ last: number }>;
    for (const node of ['group-node-1', 'group-node-2']) {
      t.nodes.add(node, { owner: P.owner, name: node, resourceClass: 'group-notify' });
      const offer = await t.as('owner').post('/v1/offers').send({ resource_uuid: node, end_time: '2030-01-10T00:00:00' });
      expect(offer.status).toBe(201);
    }
    const booked = await t.as('lessee').post('/v1/lease_groups').send({
      count: 2,
      resource_class: 'group-notify',
      start_time: '2030-01-05T00:00:00',
      end_time: '2030-01-06T00:00:00',
    });
    expect(booked.status).toBe(201);
    const members = booked.body.leases.map((l: { uuid: string }) => l.uuid) as string[];
    expect((await t.as('admin').patch(`/v1/lease_groups/${booked.body.uuid}`).send({ end_time: '2030-01-07T00:00:00' })).status).toBe(200);
    expect((await t.as('lessee').delete(`/v1/lease_groups/${booked.body.uuid}`)).status).toBe(200);

    const fresh = (await t.dataSource.query(
      'SELECT id, event_type, object_type, object_uuid FROM events WHERE id > ? ORDER BY id',
      [Number(last)],
    )) as Array<{ id: number; event_type: string; object_type: string; object_uuid: string }>;
    expect(fresh.filter((e) => e.object_type === 'lease_group').map((e) => [e.event_type, e.object_uuid])).toEqual([
      ['esi_leap.lease_group.create.end', booked.body.uuid],
      ['esi_leap.lease_group.delete.end', booked.body.uuid],
    ]);
    const leaseEvents = fresh.filter((e) => e.object_type === 'lease');
    expect(await relay.relayPending()).toBe(fresh.length);
    const received = (await listener.waitFor(seen + leaseEvents.length)).slice(seen);
    expect(received.map((n) => n.event_type).filter((type) => type.startsWith('esi_leap.lease_group'))).toEqual([]);
    for (const uuid of members) {
      expect(byLease(received, uuid).map((n) => n.event_type).sort()).toEqual(
        leaseEvents.filter((e) => e.object_uuid === uuid).map((e) => e.event_type).sort(),
      );
      expect(byLease(received, uuid).map((n) => n.event_type)).toContain('esi_leap.lease.update.end');
    }
    expect(received).toHaveLength(leaseEvents.length);
  });

  it('two managers relaying at once: only the claim holder publishes, nothing twice', async () => {
    const jobs = t.app.get(ManagerJobs);
    const first = t.app.get(NotificationRelay);
    // A second manager process: its own relay (own holder id) over the same database and broker.
    const second = new NotificationRelay(
      t.app.get(NOTIFIER_SETTINGS),
      t.app.get(OSLO_NOTIFIER),
      t.app.get(TransactionRunner),
      t.app.get(Clock),
      t.app.get(OutboxCursorsRepository),
      t.app.get(LeasesRepository),
      t.app.get(LeaseSnapshotsRepository),
      t.app.get(ResourceDriverRegistry),
    );
    const before = listener.received.length;
    t.nodes.add('node-d', { owner: P.owner, name: 'node-d' });
    const res = await t.as('owner').post('/v1/leases').send({
      resource_uuid: 'node-d',
      project_id: P.lessee,
      start_time: '2030-01-03T00:00:02',
      end_time: '2030-01-04T00:00:00',
    });
    expect(res.status).toBe(201);
    t.clock.set('2030-01-03 00:00:03.000000' as UtcTime);
    await jobs.fulfillDueLeases();
    expect((await t.as('owner').delete(`/v1/leases/${res.body.uuid}`)).status).toBe(200);

    const counts = await Promise.all([first.relayPending(), second.relayPending(), first.relayPending(), second.relayPending()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    const received = (await listener.waitFor(before + 4)).slice(before);
    expect(received.map((n) => n.event_type).sort()).toEqual([
      'esi_leap.lease.delete.end',
      'esi_leap.lease.delete.start',
      'esi_leap.lease.fulfill.end',
      'esi_leap.lease.fulfill.start',
    ]);
    expect(new Set(received.map((n) => n.message_id)).size).toBe(4);
    expect(listener.received).toHaveLength(before + 4);
  });
});

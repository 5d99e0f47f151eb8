import { execFileSync } from 'node:child_process';
import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { uuid5 } from '../../src/notifications/message-ids';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import { waitUntilRelayed } from '../reliability/support/notification-audit';
import { printSummary, recordRow } from '../reliability/support/summary';
import {
  createNotifyingApp,
  deleteBrokerObjects,
  ensureBrokerAndOslo,
  FlakyBrokerProxy,
  NotifyingApp,
  OsloListener,
  RABBIT,
  RawNotificationConsumer,
  sleep,
  uniqueName,
} from './notification-harness';

describe.each(testDatabaseKinds())('notifications survive a broker outage (%s)', (kind) => {
  let t: NotifyingApp;
  let listener: OsloListener;
  let raw: RawNotificationConsumer;
  let proxy: FlakyBrokerProxy;
  const exchange = uniqueName('esi_leap_test');
  const topic = uniqueName('esi_leap_versioned_notifications');

  const cursor = async () =>
    (
      (await t.dataSource.query(
        "SELECT last_event_id, identity FROM notification_cursors WHERE name = 'rabbit'",
      )) as Array<{
        last_event_id: number;
        identity: string;
      }>
    )[0];

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
    raw = await RawNotificationConsumer.start(RABBIT, exchange, topic, 'own-queue');
    proxy = await FlakyBrokerProxy.onFreePort();
    t = await createNotifyingApp({
      kind,
      now: '2030-01-01 00:00:00.000000' as UtcTime,
      relayLoop: true,
      conf: [
        '[DEFAULT]',
        `control_exchange = ${exchange}`,
        '[notification]',
        `versioned_notifications_topics = ${topic}`,
        'relay_interval = 0.2',
        'publish_timeout = 1',
        '[oslo_messaging_notifications]',
        'driver = messagingv2',
        `transport_url = ${proxy.url}`,
        'retry = 0',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await listener?.stop();
    await raw?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
    printSummary();
  });

  it('events written while the broker is down all arrive once it is back, even when the connection drops mid-publish: once each at an oslo listener, repeats at the broker counted', async () => {
    const jobs = t.app.get(ManagerJobs);
    const leases: string[] = [];
    for (const node of ['o-1', 'o-2', 'o-3']) {
      t.nodes.add(node, { owner: P.owner, name: node });
      const res = await t.as('owner').post('/v1/leases').send({
        resource_uuid: node,
        project_id: P.lessee,
        start_time: '2030-01-02T00:00:00',
        end_time: '2030-01-03T00:00:00',
      });
      expect(res.status).toBe(201);
      leases.push(res.body.uuid as string);
    }
    t.clock.set('2030-01-02 00:00:01.000000' as UtcTime);
    await jobs.fulfillDueLeases();
    expect((await t.as('owner').delete(`/v1/leases/${leases[0]}`)).status).toBe(200);
    t.clock.set('2030-01-03 00:00:01.000000' as UtcTime);
    await jobs.expireEndedLeases();

    const events = (await t.dataSource.query('SELECT id FROM events ORDER BY id')) as Array<{ id: number }>;
    expect(events).toHaveLength(12);
    // The relay loop keeps failing meanwhile, and the transitions above never waited for it.
    await sleep(2500);
    expect(listener.received).toHaveLength(0);
    expect(Number((await cursor()).last_event_id)).toBe(0);

    // The broker comes back, and the first connection is cut after a couple of publishes.
    proxy.cutAfterBytes = 6000;
    await proxy.open();
    const received = await listener.waitFor(events.length, 60_000);

    expect(proxy.cutAfterBytes).toBeNull();
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    const { identity } = await cursor();
    const ids = received.map((n) => n.message_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(events.map((e) => uuid5(identity, String(e.id))).sort());
    for (let i = 0; i < 50 && Number((await cursor()).last_event_id) !== Number(events[11].id); i++) await sleep(100);
    expect(Number((await cursor()).last_event_id)).toBe(Number(events[11].id));

    // What the broker delivered, before an oslo listener drops repeats: at least once each.
    const audit = await waitUntilRelayed(t.dataSource, raw.received, 10_000);
    expect({ missing: audit.missing, foreign: audit.foreign, mismatched: audit.mismatched }).toEqual({
      missing: [],
      foreign: [],
      mismatched: [],
    });
    recordRow({
      scenario: `broker fault: unreachable, then the connection cut mid-publish (${kind})`,
      load: `${audit.events} events written while the broker was unreachable`,
      faults: `broker unreachable 2.5 s, then the first connection cut after 6,000 bytes`,
      result: `all ${audit.events} at the oslo listener once each; at the broker ${audit.duplicates} duplicates (same message id)`,
    });
  });
});

/**
 * The broker loses everything for a while: the relay's virtual host is deleted (its exchange
 * and queues gone, every login refused) for VHOST_GONE_MS while transitions keep writing
 * events, then created again. Every event must reach the listener at least once, under its own
 * message id. Events may arrive more than once: at-least-once delivery, counted here by a plain
 * AMQP consumer of the relay's queues (an oslo listener would drop most repeats).
 *
 * The relay reaches the broker through a TCP relay, and the fault starts the way a broker
 * failure catches a publisher mid-publish: the link is cut right after the consumer got a
 * message whose confirm the link was still holding back, so the relay cannot know it arrived
 * and must send it again. The link stays closed until the vhost is gone: deleting a vhost also
 * deletes messages the broker confirmed but had not yet delivered, a loss on the broker's side
 * that no publisher can see, and this keeps the relay from publishing into that window.
 */
const VHOST_GONE_MS = 15_000;
const HELD_CONFIRM_MS = 600;

function rabbitmqctl(...args: string[]): void {
  execFileSync('rabbitmqctl', ['-q', ...args], { stdio: 'ignore' });
}

describe.each(testDatabaseKinds())('notifications survive the broker losing its virtual host (%s)', (kind) => {
  let t: NotifyingApp;
  let consumer: RawNotificationConsumer;
  let proxy: FlakyBrokerProxy;
  const vhost = uniqueName('esi_leap_vhost');
  const exchange = uniqueName('esi_leap_test');
  const topic = uniqueName('esi_leap_versioned_notifications');
  const createVhost = () => {
    rabbitmqctl('add_vhost', vhost);
    rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  };

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    createVhost();
    consumer = await RawNotificationConsumer.start(
      `amqp://guest:guest@127.0.0.1:5672/${vhost}`,
      exchange,
      topic,
      'relay-queues',
    );
    proxy = await FlakyBrokerProxy.onFreePort();
    await proxy.open();
    t = await createNotifyingApp({
      kind,
      now: '2030-01-01 00:00:00.000000' as UtcTime,
      relayLoop: true,
      conf: [
        '[DEFAULT]',
        `control_exchange = ${exchange}`,
        '[notification]',
        `versioned_notifications_topics = ${topic}`,
        'relay_interval = 0.2',
        'publish_timeout = 1',
        '[oslo_messaging_notifications]',
        'driver = messagingv2',
        `transport_url = ${proxy.url}${vhost}`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await consumer?.stop();
    try {
      rabbitmqctl('delete_vhost', vhost);
    } catch {
      // Already gone.
    }
    printSummary();
  });

  it(`every event arrives at least once after the vhost was gone ${VHOST_GONE_MS / 1000} s; duplicates keep their message id`, async () => {
    // Cancellations of fresh leases, two events each, until the test stops it.
    let producing = true;
    let made = 0;
    const producer = (async () => {
      while (producing) {
        const node = `vh-${kind}-${made++}`;
        t.nodes.add(node, { owner: P.owner, name: node });
        const res = await t.as('owner').post('/v1/leases').send({
          resource_uuid: node,
          project_id: P.lessee,
          start_time: '2030-02-01T00:00:00',
          end_time: '2030-02-02T00:00:00',
        });
        expect(res.status).toBe(201);
        expect((await t.as('owner').delete(`/v1/leases/${res.body.uuid as string}`)).status).toBe(200);
        await sleep(50);
      }
    })();
    await sleep(2_000);

    // The cut: once confirms are held back, right after the consumer got a message.
    proxy.delayFromBrokerMs = HELD_CONFIRM_MS;
    await sleep(HELD_CONFIRM_MS + 100);
    const seen = consumer.received.length;
    const cutDeadline = Date.now() + 10_000;
    while (consumer.received.length === seen && Date.now() < cutDeadline) await sleep(1);
    expect(consumer.received.length).toBeGreaterThan(seen);
    await proxy.close();
    proxy.delayFromBrokerMs = 0;
    rabbitmqctl('delete_vhost', vhost);
    const goneAt = Date.now();
    await proxy.open();
    await sleep(Math.max(0, VHOST_GONE_MS - (Date.now() - goneAt)));
    createVhost();
    const backAt = Date.now();
    await sleep(3_000);
    producing = false;
    await producer;

    const audit = await waitUntilRelayed(t.dataSource, consumer.received, 120_000);
    const lastArrival = Math.max(...consumer.received.map((n) => n.receivedAt));
    expect({ missing: audit.missing, foreign: audit.foreign, mismatched: audit.mismatched }).toEqual({
      missing: [],
      foreign: [],
      mismatched: [],
    });
    expect(audit.events).toBe(2 * made);
    // The message whose confirm was cut off went out again: the relay never takes an
    // unconfirmed publish for delivered.
    expect(audit.duplicates).toBeGreaterThanOrEqual(1);
    recordRow({
      scenario: `broker fault: vhost deleted (${kind})`,
      load: `${audit.events} events (a lease made and cancelled every ~50 ms, before, during and after)`,
      faults:
        `the relay's link cut with a confirm outstanding, its RabbitMQ vhost deleted for ` +
        `${((backAt - goneAt) / 1000).toFixed(1)} s, then created again`,
      result:
        `every event at the consumer at least once (the last ${((lastArrival - backAt) / 1000).toFixed(1)} s after the vhost was back); ` +
        `${audit.duplicates} duplicates, each with the message id of its event`,
    });
  }, 240_000);
});

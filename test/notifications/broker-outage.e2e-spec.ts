import { UtcTime } from '../../src/common/time';
import { ManagerJobs } from '../../src/manager/manager-jobs';
import { uuid5 } from '../../src/notifications/message-ids';
import { testDatabaseKinds } from '../helpers/test-databases';
import { P } from '../support/projects';
import {
  createNotifyingApp,
  deleteBrokerObjects,
  ensureBrokerAndOslo,
  FlakyBrokerProxy,
  NotifyingApp,
  OsloListener,
  sleep,
  uniqueName,
} from './notification-harness';

describe.each(testDatabaseKinds())('notifications survive a broker outage (%s)', (kind) => {
  let t: NotifyingApp;
  let listener: OsloListener;
  let proxy: FlakyBrokerProxy;
  const exchange = uniqueName('esi_leap_test');
  const topic = uniqueName('esi_leap_versioned_notifications');

  const cursor = async () =>
    ((await t.dataSource.query("SELECT last_event_id, identity FROM notification_cursors WHERE name = 'rabbit'")) as Array<{
      last_event_id: number;
      identity: string;
    }>)[0];

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
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
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
  });

  it('events written while the broker is down all arrive once it is back, each exactly once, even when the connection drops mid-publish', async () => {
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
  });
});

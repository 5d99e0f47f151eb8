import { NotificationRelay } from '../../src/notifications/notification-relay';
import { testDatabaseKinds } from '../helpers/test-databases';
import {
  createNotifyingApp,
  deleteBrokerObjects,
  ensureBrokerAndOslo,
  NotifyingApp,
  OsloListener,
  RABBIT,
  uniqueName,
} from '../notifications/notification-harness';
import { P } from '../support/projects';
import { hoursFrom, LimitsFile, NOW } from './limits-fixtures';

const at = hoursFrom(NOW);

describe.each(testDatabaseKinds())('esi_leap.lease.update.end on the bus, from the outbox (%s)', (kind) => {
  let t: NotifyingApp;
  let listener: OsloListener;
  let file: LimitsFile;
  const exchange = uniqueName('esi_leap_test');
  const topic = uniqueName('esi_leap_versioned_notifications');

  beforeAll(async () => {
    await ensureBrokerAndOslo();
    listener = new OsloListener(exchange, topic);
    await listener.started();
    file = new LimitsFile('self_service_extension: true\n');
    t = await createNotifyingApp({
      kind,
      now: NOW,
      conf: [
        `transport_url = ${RABBIT}`,
        `control_exchange = ${exchange}`,
        '[notification]',
        `versioned_notifications_topics = ${topic}`,
        '[oslo_messaging_notifications]',
        'driver = messagingv2',
        file.conf(),
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.close();
    await listener?.stop();
    await deleteBrokerObjects(exchange, topic).catch(() => undefined);
    file?.remove();
  });

  it("notifies a lessee's self-service extension with the lease as it is after it", async () => {
    t.nodes.add('bus-1', { owner: P.owner, name: 'bus-1' });
    const offer = (
      await t
        .as('owner')
        .post('/v1/offers')
        .send({ resource_uuid: 'bus-1', start_time: at(-24) })
    ).body.uuid;
    const lease = (
      await t
        .as('lessee')
        .post(`/v1/offers/${offer}/claim`)
        .send({ start_time: at(1), end_time: at(24) })
    ).body.uuid;
    expect(
      (
        await t
          .as('lessee')
          .patch(`/v1/leases/${lease}`)
          .send({ end_time: at(30) })
      ).status,
    ).toBe(200);

    expect(await t.app.get(NotificationRelay).relayPending()).toBe(1);
    const [notification] = await listener.waitFor(1);
    expect(notification.event_type).toBe('esi_leap.lease.update.end');
    expect(notification.priority).toBe('info');
    expect(notification.payload['esi_leap_object.data']).toMatchObject({
      uuid: lease,
      project_id: P.lessee,
      start_time: `${at(1)}Z`,
      end_time: `${at(30)}Z`,
      node_name: 'bus-1',
    });
  });
});

import { RECORDED, recorded, rewritten } from '../../../test/node-health/recorded-notifications';
import { Clock } from '../../common/clock';
import { UtcTime } from '../../common/time';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { NodeHealthReading } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { NodeBookingsRepository } from '../effects/node-bookings.repository';
import { NodeHealthEffects } from '../effects/node-health-effects';
import { NodeObservation } from '../node-observation';
import { NodeHealthEntity } from '../../leasing/health/node-health.entity';
import { NodeHealthRecords } from '../../leasing/health/node-health-records';
import { IronicNodeNotification, readIronicNotification } from './ironic-notification';
import { NodeNotificationHandler } from './node-notification.handler';

const NOW = '2026-12-06 20:00:00.000000' as UtcTime;
const HEALTHY: NodeHealthReading = {
  maintenance: false,
  maintenanceReason: null,
  provisionState: 'active',
  fault: null,
  owner: 'o1',
  resourceClass: 'baremetal',
};

/**
 * The handler between the transport and the effects, fed every recorded notification: which
 * observation it hands on, read from where. Its collaborators are stand-ins recording calls;
 * the effects themselves are tested end to end (test/node-health).
 */
describe('NodeNotificationHandler', () => {
  let applied: Array<{ observation: NodeObservation; known: NodeHealthEntity | null | undefined }>;
  let booked: boolean;
  let row: NodeHealthEntity | null;
  let ironic: { readHealth: jest.Mock };

  function handler(): NodeNotificationHandler {
    const config = {
      node_health: { unhealthy_provision_states: ['enroll', 'clean failed', 'deploy failed'] },
    } as unknown as EsiLeapConfig;
    const clock = { now: () => NOW } as Clock;
    const drivers = { get: () => ironic } as unknown as ResourceDriverRegistry;
    const bookings = { isBooked: async () => booked } as unknown as NodeBookingsRepository;
    const records = {
      rowsOf: async (_type: string, uuids: string[]) => new Map(row ? [[uuids[0], row]] : []),
    } as unknown as NodeHealthRecords;
    const effects = {
      apply: async (observation: NodeObservation, known?: NodeHealthEntity | null) =>
        void applied.push({ observation, known }),
    } as unknown as NodeHealthEffects;
    return new NodeNotificationHandler(config, clock, drivers, bookings, records, effects);
  }

  const read = (name: string): IronicNodeNotification => readIronicNotification(recorded(name).body);

  beforeEach(() => {
    applied = [];
    booked = true;
    row = null;
    ironic = { readHealth: jest.fn(async (uuids: string[]) => new Map([[uuids[0], HEALTHY]])) };
  });

  it.each(RECORDED.filter((m) => m.name !== 'delete.end').map((m) => m.name))(
    '%s on a booked node: reads the node now and applies that',
    async (name) => {
      const notification = read(name);
      await handler().handle(notification);
      expect(ironic.readHealth).toHaveBeenCalledWith([notification.nodeUuid]);
      expect(applied).toEqual([
        {
          observation: {
            ref: { resourceType: 'ironic_node', resourceUuid: notification.nodeUuid },
            observedAt: NOW,
            source: 'current',
            kind: 'present',
            reading: HEALTHY,
          },
          known: null,
        },
      ]);
    },
  );

  it('delete.end on a booked node: gone, without asking Ironic', async () => {
    const notification = read('delete.end');
    await handler().handle(notification);
    expect(ironic.readHealth).not.toHaveBeenCalled();
    expect(applied.map((a) => a.observation)).toEqual([
      {
        ref: { resourceType: 'ironic_node', resourceUuid: notification.nodeUuid },
        observedAt: NOW,
        source: 'current',
        kind: 'gone',
      },
    ]);
  });

  it('a node Ironic no longer knows (any event): gone', async () => {
    ironic.readHealth.mockResolvedValue(new Map());
    await handler().handle(read('update.end owner'));
    expect(applied.map((a) => a.observation.kind)).toEqual(['gone']);
  });

  it('Ironic unreachable: the payload stands in, stamped with the notification time', async () => {
    ironic.readHealth.mockRejectedValue(new Error('Ironic is unavailable.'));
    const notification = read('maintenance_set.end on');
    await handler().handle(notification);
    expect(applied.map((a) => a.observation)).toEqual([
      {
        ref: { resourceType: 'ironic_node', resourceUuid: notification.nodeUuid },
        observedAt: notification.timestamp,
        source: 'payload',
        kind: 'present',
        reading: notification.reading,
      },
    ]);
  });

  it('a node recorded before counts as watched even with nothing booked, and its row is handed on', async () => {
    booked = false;
    row = { state: 'unhealthy' } as NodeHealthEntity;
    await handler().handle(read('maintenance_set.end off'));
    expect(applied).toHaveLength(1);
    expect(applied[0].known).toBe(row);
  });

  it.each([
    'maintenance_set.end on',
    'provision_set.error clean failed',
    'provision_set.error deploy failed',
    'create.end enroll',
  ])('%s on a node nobody booked: recorded from the payload, so the guard knows', async (name) => {
    booked = false;
    await handler().handle(read(name));
    expect(ironic.readHealth).not.toHaveBeenCalled();
    expect(applied.map((a) => [a.observation.source, a.observation.kind])).toEqual([['payload', 'present']]);
  });

  it.each([
    'maintenance_set.end off',
    'provision_set.end available',
    'update.end owner',
    'power_set.end',
    'delete.end',
  ])('%s on a node nobody booked and not known unhealthy: nothing to do', async (name) => {
    booked = false;
    await handler().handle(read(name));
    expect(applied).toEqual([]);
    expect(ironic.readHealth).not.toHaveBeenCalled();
  });

  it('a fault in the payload of an unbooked node is recorded too', async () => {
    booked = false;
    const body = rewritten(recorded('power_set.end'), { fault: 'power failure', maintenance: true });
    await handler().handle(readIronicNotification(body));
    expect(applied).toHaveLength(1);
  });
});

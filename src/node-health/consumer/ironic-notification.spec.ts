import { innerMessage, RECORDED, recorded, rewritten } from '../../../test/node-health/recorded-notifications';
import { NODE_EVENT_TYPES, readIronicNotification, UnreadableNotification } from './ironic-notification';

describe('readIronicNotification (bodies recorded from Ironic 21.4)', () => {
  it('reads every recorded body: event type, message id, time, node uuid', () => {
    for (const message of RECORDED) {
      const inner = innerMessage(message);
      const read = readIronicNotification(Buffer.from(message.body));
      expect(read.eventType).toBe(inner.event_type);
      expect(read.messageId).toBe(inner.message_id);
      expect(read.nodeUuid).toBe(inner.payload['ironic_object.data'].uuid);
      // oslo's "2026-12-06 19:38:03.024728", as the canonical UTC time
      expect(read.timestamp).toBe(inner.timestamp);
    }
  });

  it('covers a recorded body of every event type it handles, except the power ones Ironic sends only on hardware faults', () => {
    const recordedTypes = new Set(RECORDED.map((m) => innerMessage(m).event_type));
    const unrecorded = NODE_EVENT_TYPES.filter((t) => !recordedTypes.has(t));
    expect(unrecorded).toEqual(['baremetal.node.power_set.error', 'baremetal.node.power_state_corrected.success']);
  });

  it.each([
    [
      'maintenance_set.end on',
      { maintenance: true, maintenanceReason: 'disk replacement', provisionState: 'available' },
    ],
    ['maintenance_set.end off', { maintenance: false, maintenanceReason: null, provisionState: 'available' }],
    ['provision_set.error clean failed', { maintenance: false, provisionState: 'clean failed', fault: null }],
    ['provision_set.error deploy failed', { maintenance: false, provisionState: 'deploy failed' }],
    ['provision_set.end available', { provisionState: 'available' }],
    ['provision_set.success manageable', { provisionState: 'manageable' }],
    ['create.end enroll', { provisionState: 'enroll', owner: 'aaaa0000aaaa0000aaaa0000aaaa0001' }],
    ['update.end owner', { owner: 'bbbb0000bbbb0000bbbb0000bbbb0002', resourceClass: 'baremetal' }],
    ['update.end resource_class', { resourceClass: 'gpu' }],
    ['power_set.end', { maintenance: false, provisionState: 'available' }],
    ['delete.end', { provisionState: 'manageable' }],
  ])('%s: the node as the payload shows it', (name, expected) => {
    expect(readIronicNotification(recorded(name).body).reading).toMatchObject(expected);
  });

  it('reads the fault the conductor sets with maintenance', () => {
    const body = rewritten(recorded('maintenance_set.end on'), { fault: 'power failure', maintenance_reason: null });
    expect(readIronicNotification(body).reading).toMatchObject({
      maintenance: true,
      maintenanceReason: null,
      fault: 'power failure',
    });
  });

  it("reads the bare message of oslo's older `messaging` driver", () => {
    const inner = innerMessage(recorded('delete.end'));
    const read = readIronicNotification(JSON.stringify(inner));
    expect(read).toMatchObject({
      eventType: 'baremetal.node.delete.end',
      nodeUuid: inner.payload['ironic_object.data'].uuid,
    });
  });

  it.each([
    ['not JSON', '{"oslo.version": "2.0", '],
    ['an envelope around something else', JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': '[1]' })],
    ['no event type', JSON.stringify({ payload: {} })],
    [
      'a payload without a node',
      JSON.stringify({ event_type: 'baremetal.port.update.end', payload: { 'ironic_object.data': { address: 'x' } } }),
    ],
  ])('refuses %s as unreadable', (_what, body) => {
    expect(() => readIronicNotification(body)).toThrow(UnreadableNotification);
  });
});

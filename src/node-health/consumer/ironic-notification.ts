import { fromDb, UtcTime } from '../../common/time';
import { NodeHealthReading } from '../../drivers/resource-driver';

/** The node events node health acts on (Ironic's doc/source/admin/notifications.rst). */
export const NODE_EVENT_TYPES = [
  // A node created is in `enroll`.
  'baremetal.node.create.end',
  'baremetal.node.maintenance_set.end',
  // Provision state changes: `.end` after a transition, `.success` for an instant one,
  // `.error` (priority ERROR) for clean failed, deploy failed and the like.
  'baremetal.node.provision_set.end',
  'baremetal.node.provision_set.success',
  'baremetal.node.provision_set.error',
  // Owner, lessee, resource class, properties.
  'baremetal.node.update.end',
  'baremetal.node.delete.end',
  // Power failures are when the conductor sets a fault and maintenance on its own.
  'baremetal.node.power_set.end',
  'baremetal.node.power_set.error',
  'baremetal.node.power_state_corrected.success',
] as const;

export const NODE_DELETED = 'baremetal.node.delete.end';

/** One node notification, as far as node health reads it. */
export interface IronicNodeNotification {
  readonly eventType: string;
  readonly messageId: string | null;
  /** When Ironic emitted it (its clock, UTC); null when the message carries none. */
  readonly timestamp: UtcTime | null;
  readonly nodeUuid: string;
  /** The node as the payload shows it, at the time of the event. */
  readonly reading: NodeHealthReading;
}

/** A message that is not an Ironic node notification (acknowledged and dropped, with a log line). */
export class UnreadableNotification extends Error {}

/**
 * Decodes an AMQP body published by oslo.messaging: the `messagingv2` envelope
 * (`{"oslo.version": "2.0", "oslo.message": "<JSON>"}`) or the bare message of the older
 * `messaging` driver, then the versioned payload (`ironic_object.data`) of a node event.
 */
export function readIronicNotification(body: Buffer | string): IronicNodeNotification {
  const outer = parseObject(typeof body === 'string' ? body : body.toString('utf8'), 'body');
  const message =
    typeof outer['oslo.message'] === 'string' ? parseObject(outer['oslo.message'], 'oslo.message') : outer;
  const eventType = message.event_type;
  if (typeof eventType !== 'string') throw new UnreadableNotification('no event_type');
  const payload = message.payload as Record<string, unknown> | undefined;
  const data = payload?.['ironic_object.data'] as Record<string, unknown> | undefined;
  if (!data || typeof data !== 'object' || typeof data.uuid !== 'string') {
    throw new UnreadableNotification(`${eventType}: no ironic_object.data with a node uuid`);
  }
  return {
    eventType,
    messageId: typeof message.message_id === 'string' ? message.message_id : null,
    timestamp: timestampOf(message.timestamp),
    nodeUuid: data.uuid,
    reading: {
      maintenance: data.maintenance === true,
      maintenanceReason: text(data.maintenance_reason),
      provisionState: text(data.provision_state),
      fault: text(data.fault),
      owner: text(data.owner),
      resourceClass: text(data.resource_class),
    },
  };
}

function parseObject(json: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new UnreadableNotification(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new UnreadableNotification(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** oslo's `timeutils.utcnow()` as a string: `2026-12-06 19:38:03.024728`. */
function timestampOf(value: unknown): UtcTime | null {
  if (typeof value !== 'string') return null;
  try {
    return fromDb(value);
  } catch {
    return null;
  }
}

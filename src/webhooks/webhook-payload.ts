import { toIso } from '../common/time';
import { EventEntity } from '../leasing/data/event.entity';
import { formatLeadTime } from '../notifications/reminders/lead-times';
import { LeaseReminderEntity } from '../notifications/reminders/lease-reminder.entity';

/**
 * The JSON body of a delivery: the event as `GET /v1/events` shows it, plus, for a reminder,
 * its lead time and the lease time it is about. Built from rows that never change, so every
 * attempt at one delivery sends the same bytes.
 */
export function webhookPayload(event: EventEntity, reminder: LeaseReminderEntity | undefined): string {
  return JSON.stringify({
    id: event.id,
    event_type: event.eventType,
    event_time: toIso(event.eventTime),
    object_type: event.objectType,
    object_uuid: event.objectUuid,
    resource_type: event.resourceType,
    resource_uuid: event.resourceUuid,
    lessee_id: event.lesseeId,
    owner_id: event.ownerId,
    ...(reminder && {
      reminder: {
        lead_time: formatLeadTime(reminder.leadSeconds),
        lead_seconds: reminder.leadSeconds,
        [reminder.kind === 'end' ? 'end_time' : 'start_time']: toIso(reminder.dueFor),
      },
    }),
  });
}

/** Whether a webhook's event type list takes `eventType`: exact names, `prefix.*`, or `*`. */
export function wantsEventType(patterns: readonly string[], eventType: string): boolean {
  return patterns.some(
    (p) => p === '*' || p === eventType || (p.endsWith('.*') && eventType.startsWith(p.slice(0, -1))),
  );
}

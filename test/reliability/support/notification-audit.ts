import { uuid5 } from '../../../src/notifications/message-ids';
import { ReceivedNotification } from '../../notifications/notification-harness';
import { sleep } from './service-processes';

/**
 * What a listener got, held against the events table (the outbox): each event must arrive at
 * least once, as the notification of that event (type and lease), under its stable message id
 * (a uuid5 of the event id in the database's cursor identity). A message id that arrives again
 * is a duplicate: allowed (at-least-once delivery), counted.
 */
export interface NotificationAudit {
  events: number;
  received: number;
  duplicates: number;
  /** Event ids that never arrived. */
  missing: number[];
  /** Message ids that name no event of this database. */
  foreign: string[];
  /** Messages whose type or lease differs from the event their id names. */
  mismatched: string[];
}

interface EventRow {
  id: number;
  event_type: string;
  object_uuid: string;
}

/** What the audit reads the outbox through: a DataSource, or a connection to one Galera node. */
export interface OutboxReader {
  query(sql: string, params?: unknown[]): Promise<any>;
}

export async function auditNotifications(
  db: OutboxReader,
  received: readonly ReceivedNotification[],
): Promise<NotificationAudit> {
  const [cursor] = (await db.query("SELECT identity FROM notification_cursors WHERE name = 'rabbit'")) as Array<{
    identity: string;
  }>;
  const events = (await db.query('SELECT id, event_type, object_uuid FROM events ORDER BY id')) as EventRow[];
  const byMessageId = new Map(events.map((e) => [uuid5(cursor.identity, String(e.id)), e]));
  const arrivals = new Map<string, number>();
  const foreign: string[] = [];
  const mismatched: string[] = [];
  for (const n of received) {
    const event = byMessageId.get(n.message_id);
    if (!event) {
      foreign.push(n.message_id);
      continue;
    }
    arrivals.set(n.message_id, (arrivals.get(n.message_id) ?? 0) + 1);
    const lease = (n.payload?.['esi_leap_object.data'] as Record<string, unknown> | undefined)?.uuid;
    if (n.event_type !== event.event_type || lease !== event.object_uuid) {
      mismatched.push(`${n.message_id}: ${n.event_type} of ${String(lease)} for event ${event.id}`);
    }
  }
  const missing = [...byMessageId].filter(([id]) => !arrivals.has(id)).map(([, e]) => Number(e.id));
  const duplicates = [...arrivals.values()].reduce((sum, count) => sum + count - 1, 0);
  return { events: events.length, received: received.length, duplicates, missing, foreign, mismatched };
}

/** Waits until every event of the database has arrived at least once; the last audit. */
export async function waitUntilRelayed(
  db: OutboxReader,
  received: readonly ReceivedNotification[],
  timeoutMs: number,
): Promise<NotificationAudit> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const audit = await auditNotifications(db, received);
    if (audit.missing.length === 0 || Date.now() > deadline) {
      // Late duplicates of the last messages still count.
      await sleep(500);
      return auditNotifications(db, received);
    }
    await sleep(250);
  }
}

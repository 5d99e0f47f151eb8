import { randomUUID } from 'node:crypto';
import { toPyStr, UtcTime } from '../common/time';
import { WireFormat } from './notifier-settings';

/** oslo.messaging notification priorities; the wire carries them upper-case. */
export type NotificationPriority = 'AUDIT' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SAMPLE';

/** What a caller hands to `OsloNotificationClient.emit(eventType, notification)`. */
export interface OutgoingNotification {
  readonly payload: object;
  readonly priority: NotificationPriority;
  /** Stable across re-sends so consumers can drop duplicates; a fresh uuid4 when absent. */
  readonly messageId?: string;
  /** When it happened; now when absent. */
  readonly timestamp?: UtcTime;
}

/**
 * A system request context, already redacted the way oslo.messaging ≥ 14.4 sends it (older
 * versions sent the user's token): consumers that read `_context_*` keys find them, and no credential is ever sent.
 */
function systemContext(): Record<string, unknown> {
  return {
    _context_user: null,
    _context_project_id: null,
    _context_system_scope: null,
    _context_project: null,
    _context_domain: null,
    _context_user_domain: null,
    _context_project_domain: null,
    _context_is_admin: true,
    _context_read_only: false,
    _context_show_deleted: false,
    _context_auth_token: null,
    _context_request_id: `req-${randomUUID()}`,
    _context_global_request_id: null,
    _context_resource_uuid: null,
    _context_roles: [],
    _context_user_identity: '- - - - -',
    _context_is_admin_project: true,
  };
}

/** The inner oslo message. `_unique_id` follows `message_id` so duplicates share it. */
export function osloMessage(
  eventType: string,
  notification: OutgoingNotification,
  publisherId: string,
  now: UtcTime,
): Record<string, unknown> {
  const messageId = notification.messageId ?? randomUUID();
  return {
    message_id: messageId,
    publisher_id: publisherId,
    event_type: eventType,
    priority: notification.priority,
    payload: notification.payload,
    timestamp: toPyStr(notification.timestamp ?? now),
    _unique_id: messageId.replace(/-/g, ''),
    ...systemContext(),
  };
}

/**
 * The AMQP body: the v2 envelope double-encodes the message (`oslo.message` is a JSON string);
 * the v1 `messaging` driver sends the message itself.
 */
export function osloBody(message: Record<string, unknown>, format: WireFormat): Buffer {
  const text = format === 'messagingv2' ? JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) }) : JSON.stringify(message);
  return Buffer.from(text, 'utf8');
}

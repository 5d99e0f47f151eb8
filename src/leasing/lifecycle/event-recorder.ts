import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { leasePayloadFields } from '../../notifications/lease-crud-payload';
import { NotificationOutboxRepository } from '../../notifications/notification-outbox.repository';
import { NOTIFIER_SETTINGS } from '../../notifications/notifications.tokens';
import { NotifierSettings } from '../../notifications/notifier-settings';
import { EventsRepository, NewEvent } from '../data/events.repository';

/** Lease event types (service.md D.1); `*.error` ones have priority ERROR, the rest INFO. */
export type LeaseEventType =
  | 'esi_leap.lease.fulfill.start'
  | 'esi_leap.lease.fulfill.end'
  | 'esi_leap.lease.fulfill.error'
  | 'esi_leap.lease.delete.start'
  | 'esi_leap.lease.delete.end'
  | 'esi_leap.lease.delete.error';

/** One event to record: its type and the lease as it is before the transition's UPDATE. */
export interface LeaseEvent {
  readonly type: LeaseEventType;
  readonly lease: LeaseEntity;
}

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

/**
 * Writes the event rows of lease transitions inside the transitions' own transaction
 * (decisions.md 11): the events table is the outbox the notification relay publishes from,
 * so an event exists exactly when its state change committed. While notifications are on,
 * each event also gets a snapshot of its lease as given, which callers pass before their
 * UPDATE, so the relay can send the pre-transition status and timestamps the `*.end` payload
 * must carry (service.md D.4) however late it publishes.
 */
@Injectable()
export class EventRecorder {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    @Inject(NOTIFIER_SETTINGS) private readonly notifier: NotifierSettings,
    private readonly events: EventsRepository,
    private readonly outbox: NotificationOutboxRepository,
  ) {}

  /** Every event of `recorded` in one INSERT, in the order given (ids ascending). */
  async record(em: EntityManager, recorded: readonly LeaseEvent[], now: UtcTime): Promise<void> {
    const kept = recorded.filter((e) => this.permitted(e.type));
    if (kept.length === 0) return;
    const rows = kept.map((e) => eventRow(e, now));
    if (!this.notifier.enabled) {
      await this.events.insertMany(em, rows);
      return;
    }
    const ids = await this.events.insertManyReturningIds(em, rows);
    await this.outbox.saveSnapshots(
      em,
      kept.map((e, i) => ({ eventId: ids[i], lease: leasePayloadFields(e.lease) })),
    );
  }

  /** `[notification] notification_level` is the minimum priority written (service.md F.1). */
  private permitted(eventType: LeaseEventType): boolean {
    const priority = eventType.endsWith('.error') ? 'error' : 'info';
    const threshold = LEVELS.indexOf(this.config.notification.notification_level ?? 'info');
    return LEVELS.indexOf(priority) >= threshold;
  }
}

function eventRow({ type, lease }: LeaseEvent, now: UtcTime): NewEvent {
  return {
    eventType: type,
    eventTime: now,
    objectType: 'lease',
    objectUuid: lease.uuid,
    resourceType: lease.resourceType,
    resourceUuid: lease.resourceUuid,
    lesseeId: lease.projectId,
    ownerId: lease.ownerId,
    createdAt: now,
  };
}

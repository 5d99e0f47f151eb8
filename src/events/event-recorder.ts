import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { UtcTime } from '../common/time';
import { LeaseEntity } from '../leases/entities/lease.entity';
import { EventsRepository } from './events.repository';

/** Lease event types (service.md D.1); `*.error` ones have priority ERROR, the rest INFO. */
export type LeaseEventType =
  | 'esi_leap.lease.fulfill.start'
  | 'esi_leap.lease.fulfill.end'
  | 'esi_leap.lease.fulfill.error'
  | 'esi_leap.lease.delete.start'
  | 'esi_leap.lease.delete.end'
  | 'esi_leap.lease.delete.error';

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

/**
 * Writes the event row of a lease transition inside the transition's own transaction
 * (decisions.md 11): the events table is the outbox the notification relay publishes from,
 * so an event exists exactly when its state change committed.
 */
@Injectable()
export class EventRecorder {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly events: EventsRepository,
  ) {}

  async record(em: EntityManager, eventType: LeaseEventType, lease: LeaseEntity, now: UtcTime): Promise<void> {
    if (!this.permitted(eventType)) return;
    await this.events.insert(em, {
      eventType,
      eventTime: now,
      objectType: 'lease',
      objectUuid: lease.uuid,
      resourceType: lease.resourceType,
      resourceUuid: lease.resourceUuid,
      lesseeId: lease.projectId,
      ownerId: lease.ownerId,
      createdAt: now,
    });
  }

  /** `[notification] notification_level` is the minimum priority written (service.md F.1). */
  private permitted(eventType: LeaseEventType): boolean {
    const priority = eventType.endsWith('.error') ? 'error' : 'info';
    const threshold = LEVELS.indexOf(this.config.notification.notification_level ?? 'info');
    return LEVELS.indexOf(priority) >= threshold;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { busWireFormats } from '../../config/notification-drivers';
import { EventsRepository, NewEvent } from '../data/events.repository';
import { LeaseEntity } from '../data/lease.entity';
import { leaseSnapshot, LeaseSnapshotsRepository } from '../data/lease-snapshots.repository';

/** Lease event types; `*.error` ones have priority ERROR, the rest INFO. */
export type LeaseEventType =
  | 'esi_leap.lease.fulfill.start'
  | 'esi_leap.lease.fulfill.end'
  | 'esi_leap.lease.fulfill.error'
  | 'esi_leap.lease.delete.start'
  | 'esi_leap.lease.delete.end'
  | 'esi_leap.lease.delete.error'
  /** A lease's end_time changed (PATCH, by an admin or as a self-service extension). */
  | 'esi_leap.lease.update.end'
  /** The lease's node became unhealthy (docs/node-health.md); `recovered` when it is healthy again. */
  | 'esi_leap.lease.degraded'
  | 'esi_leap.lease.recovered'
  /** A lease that had not started was moved off an unhealthy node. */
  | 'esi_leap.lease.moved'
  | 'esi_leap.lease.end_soon'
  | 'esi_leap.lease.start_soon';

/** Events of a lease group as a whole; its members write their own lease events as single leases do. */
export type LeaseGroupEventType = 'esi_leap.lease_group.create.end' | 'esi_leap.lease_group.delete.end';

/** One event to record: its type and the lease as it was before the transition. */
export interface LeaseEvent {
  readonly type: LeaseEventType;
  readonly lease: LeaseEntity;
}

export const EVENT_OUTBOX_SETTINGS = 'EVENT_OUTBOX_SETTINGS';

export interface EventOutboxSettings {
  /** Keep each event's lease as it was, for the relay (only while notifications go to the bus). */
  readonly keepSnapshots: boolean;
  /** `[notification] notification_level`: the minimum priority written. */
  readonly minimumLevel: string;
}

export function eventOutboxSettings(config: EsiLeapConfig): EventOutboxSettings {
  return {
    keepSnapshots: busWireFormats(config).length > 0,
    minimumLevel: config.notification.notification_level ?? 'info',
  };
}

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

/**
 * Writes the event rows of lease transitions inside the transitions' own transaction: the
 * events table is the outbox the notification relay publishes from, so an event exists
 * exactly when its state change committed (docs/notifications.md). While notifications are
 * on, each event also keeps a snapshot of its lease as it was before the transition, which the
 * `*.end` payload must carry however late the relay publishes it.
 */
@Injectable()
export class EventRecorder {
  constructor(
    @Inject(EVENT_OUTBOX_SETTINGS) private readonly settings: EventOutboxSettings,
    private readonly events: EventsRepository,
    private readonly snapshots: LeaseSnapshotsRepository,
  ) {}

  /** Every event of `recorded` in one INSERT, in the order given (ids ascending). */
  async record(em: EntityManager, recorded: readonly LeaseEvent[], now: UtcTime): Promise<void> {
    const kept = recorded.filter((e) => this.permitted(e.type));
    if (kept.length === 0) return;
    const rows = kept.map((e) => eventRow(e, now));
    if (!this.settings.keepSnapshots) {
      await this.events.insertMany(em, rows);
      return;
    }
    const ids = await this.events.insertManyReturningIds(em, rows);
    await this.snapshots.save(
      em,
      kept.map((e, i) => ({ eventId: ids[i], lease: leaseSnapshot(e.lease) })),
    );
  }

  /**
   * A lease group's own event (`object_type` `lease_group`, the group's project as lessee),
   * in the caller's transaction. It has no lease to snapshot: the bus relay leaves it out
   * (upstream's notification payload describes one lease); the events API and webhooks show it.
   */
  async recordGroup(
    em: EntityManager,
    type: LeaseGroupEventType,
    group: { readonly uuid: string; readonly projectId: string },
    now: UtcTime,
  ): Promise<void> {
    if (!this.permitted(type)) return;
    await this.events.insertMany(em, [
      {
        eventType: type,
        eventTime: now,
        objectType: 'lease_group',
        objectUuid: group.uuid,
        resourceType: null,
        resourceUuid: null,
        lesseeId: group.projectId,
        ownerId: null,
        createdAt: now,
      },
    ]);
  }

  private permitted(eventType: string): boolean {
    const priority = eventType.endsWith('.error') ? 'error' : 'info';
    return LEVELS.indexOf(priority) >= LEVELS.indexOf(this.settings.minimumLevel);
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

import { Inject, Injectable, Logger } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../db/transaction-runner';
import { EventEntity } from '../leasing/data/event.entity';
import { LeasesRepository } from '../leasing/data/leases.repository';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';
import { LeaseSnapshotsRepository } from '../leasing/data/lease-snapshots.repository';
import {
  leaseCrudPayload,
  leasePayloadFields,
  LeasePayloadFields,
  nodePayloadFields,
  payloadFromSnapshot,
} from './lease-crud-payload';
import { uuid5 } from './message-ids';
import { OutboxConsumer } from '../outbox/outbox-consumer';
import { OutboxCursorsRepository } from '../outbox/outbox-cursors.repository';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from './notifications.tokens';
import { NotifierSettings } from './notifier-settings';
import { OsloNotificationClient } from './oslo-notification.client';
import { OutgoingNotification } from './oslo-message';

export const RABBIT_CURSOR = 'rabbit';
/** Attempts per event in one pass when `retry` is -1 ("for ever"): later passes keep trying. */
const ATTEMPTS_WHEN_UNBOUNDED = 3;
const FIRST_RETRY_DELAY_MS = 500;

/**
 * Publishes the `events` outbox to RabbitMQ (docs/notifications.md): every event, once the
 * broker has confirmed it, at least once, each with a stable message id, read through the
 * outbox cursor `rabbit` (OutboxConsumer: one manager at a time, taken over within seconds of a
 * crash). Runs outside any lock or request.
 */
@Injectable()
export class NotificationRelay {
  private readonly logger = new Logger('esi-leap.notifications');
  private readonly consumer: OutboxConsumer;

  constructor(
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    @Inject(OSLO_NOTIFIER) private readonly client: OsloNotificationClient,
    tx: TransactionRunner,
    clock: Clock,
    cursors: OutboxCursorsRepository,
    private readonly leases: LeasesRepository,
    private readonly snapshots: LeaseSnapshotsRepository,
    private readonly drivers: ResourceDriverRegistry,
  ) {
    this.consumer = new OutboxConsumer(
      // The snapshots of events behind the cursor are no longer needed.
      { cursor: RABBIT_CURSOR, logger: this.logger, onAdvance: (em, eventId) => snapshots.deleteUpTo(em, eventId) },
      tx,
      clock,
      cursors,
    );
  }

  /**
   * One pass: publishes everything pending and returns how many events went out. Throws when
   * an event could not be published after its attempts; it is offered again on the next pass.
   */
  relayPending(): Promise<number> {
    return this.consumer.pass(async (event, cursor) => {
      const snapshot = await this.snapshots.findOne(event.id);
      await this.publishWithRetries(event, cursor.identity, snapshot && payloadFromSnapshot(snapshot));
    });
  }

  /** With notifications off, moves the cursor past everything, so enabling them later does not replay history. */
  /** Where the pass under way is, for the shutdown log. */
  get currentStep(): string | null {
    return this.consumer.currentStep;
  }

  skipPending(): Promise<void> {
    return this.consumer.skipPending();
  }

  private async publishWithRetries(
    event: EventEntity,
    identity: string,
    snapshot: LeasePayloadFields | undefined,
  ): Promise<void> {
    const attempts = this.settings.retry < 0 ? ATTEMPTS_WHEN_UNBOUNDED : this.settings.retry + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publish(event, identity, snapshot);
        return;
      } catch (err) {
        this.logger.warn(
          `publishing event ${event.id} (${event.eventType}) failed, attempt ${attempt}/${attempts}: ${String(err)}`,
        );
        if (attempt >= attempts) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1)));
    }
  }

  private async publish(event: EventEntity, identity: string, snapshot: LeasePayloadFields | undefined): Promise<void> {
    // A lease group's own events have no upstream payload; its members' lease events are published.
    if (event.objectType === 'lease_group') return;
    const lease = snapshot ?? (await this.currentLease(event));
    if (!lease) {
      this.logger.error(`event ${event.id} (${event.eventType}) names no existing lease; nothing to publish`);
      return;
    }
    const node = (await this.drivers.find(lease.resource_type)?.get(lease.resource_uuid)) ?? null;
    const notification: OutgoingNotification = {
      payload: leaseCrudPayload(lease, nodePayloadFields(lease.resource_uuid, node)),
      priority: event.eventType.endsWith('.error') ? 'ERROR' : 'INFO',
      messageId: uuid5(identity, String(event.id)),
      timestamp: event.eventTime,
    };
    await lastValueFrom(this.client.emit(event.eventType, notification), { defaultValue: undefined });
  }

  /**
   * Events written before notifications were enabled in the writing process have no snapshot:
   * their payload shows the lease as it is now (a documented deviation for `*.end`).
   */
  private async currentLease(event: EventEntity): Promise<LeasePayloadFields | null> {
    if (event.objectType !== 'lease' || !event.objectUuid) return null;
    const lease = await this.leases.findByUuid(event.objectUuid);
    return lease ? leasePayloadFields(lease) : null;
  }
}

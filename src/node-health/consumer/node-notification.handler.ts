import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { NodeBookingsRepository } from '../effects/node-bookings.repository';
import { NodeHealthEffects } from '../effects/node-health-effects';
import { healthProblem } from '../health-verdict';
import { NodeObservation } from '../node-observation';
import { NodeHealthRecords } from '../../leasing/health/node-health-records';
import { IronicNodeNotification, NODE_DELETED } from './ironic-notification';

/** The resource type Ironic's nodes are booked as. */
const IRONIC_NODE = 'ironic_node';

/**
 * What one Ironic node notification changes. The notification says which node to look at; the
 * node is then read through the driver, so a duplicate, late or reordered notification applies
 * the node's current state, which is harmless. Only when Ironic cannot be asked does the
 * payload stand in, and then only if it is newer than what is recorded. A deletion is final.
 * Nodes with nothing booked and never seen unhealthy are only recorded when the payload shows
 * them unhealthy, so the guard knows before anyone books them.
 */
@Injectable()
export class NodeNotificationHandler {
  private readonly logger = new Logger('esi-leap.node_health');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly drivers: ResourceDriverRegistry,
    private readonly bookings: NodeBookingsRepository,
    private readonly records: NodeHealthRecords,
    private readonly effects: NodeHealthEffects,
  ) {}

  async handle(notification: IronicNodeNotification): Promise<void> {
    const ref = { resourceType: IRONIC_NODE, resourceUuid: notification.nodeUuid };
    const row = (await this.records.rowsOf(IRONIC_NODE, [notification.nodeUuid])).get(notification.nodeUuid) ?? null;
    const watched = row !== null || (await this.bookings.isBooked(ref));
    const deleted = notification.eventType === NODE_DELETED;
    if (!watched) {
      const unhealthy =
        healthProblem(notification.reading, this.config.node_health.unhealthy_provision_states) !== null;
      if (deleted || !unhealthy) return;
      await this.effects.apply(this.fromPayload(ref, notification));
      return;
    }
    const observation = deleted
      ? ({ ref, observedAt: this.clock.now(), source: 'current', kind: 'gone' } as const)
      : await this.observe(ref, notification);
    await this.effects.apply(observation, row);
  }

  /** The node read now; the payload when Ironic cannot be asked. */
  private async observe(ref: NodeObservation['ref'], notification: IronicNodeNotification): Promise<NodeObservation> {
    const observedAt = this.clock.now();
    try {
      const reading = (await this.drivers.get(IRONIC_NODE).readHealth!([ref.resourceUuid])).get(ref.resourceUuid);
      return reading
        ? { ref, observedAt, source: 'current', kind: 'present', reading }
        : { ref, observedAt, source: 'current', kind: 'gone' };
    } catch (err) {
      this.logger.warn(
        `reading node ${ref.resourceUuid} after ${notification.eventType} failed (${String(err)}); using the notification's payload`,
      );
      return this.fromPayload(ref, notification);
    }
  }

  private fromPayload(ref: NodeObservation['ref'], notification: IronicNodeNotification): NodeObservation {
    const observedAt = notification.timestamp ?? this.clock.now();
    return { ref, observedAt, source: 'payload', kind: 'present', reading: notification.reading };
  }
}

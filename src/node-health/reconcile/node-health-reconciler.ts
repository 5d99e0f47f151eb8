import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { UtcTime } from '../../common/time';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { ResourceRef } from '../../db/transaction-runner';
import { NodeHealthReading } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { NodeBookingsRepository } from '../effects/node-bookings.repository';
import { NodeHealthEffects } from '../effects/node-health-effects';
import { healthProblem } from '../health-verdict';
import { NodeObservation } from '../node-observation';
import { NodeHealthEntity } from '../../leasing/health/node-health.entity';
import { FLAGGABLE } from '../../leasing/health/node-health';
import { NodeHealthRecords } from '../../leasing/health/node-health-records';

/**
 * A driver that reports every one of at least this many nodes missing is more likely pointed
 * at the wrong backend than facing a fleet deleted at once: nothing is ended then.
 */
const MASS_DISAPPEARANCE = 3;

/** What one reconcile did. */
export interface ReconcileSummary {
  readonly watched: number;
  readonly failed: number;
}

/**
 * The safety net under the notifications (`[node_health] reconcile_interval`): reads the health
 * of every node with offers or leases, and of every node recorded unhealthy, through its
 * driver, and applies what it finds exactly as a notification would. Healthy nodes seen for the
 * first time are recorded in bulk, and those whose recorded state still matches cost nothing
 * more: only changes and unhealthy nodes take a transaction.
 */
@Injectable()
export class NodeHealthReconciler {
  private readonly logger = new Logger('esi-leap.node_health');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly drivers: ResourceDriverRegistry,
    private readonly bookings: NodeBookingsRepository,
    private readonly records: NodeHealthRecords,
    private readonly effects: NodeHealthEffects,
  ) {}

  async reconcile(): Promise<ReconcileSummary> {
    const watched = byType([...(await this.bookings.bookedNodes()), ...(await this.records.needingAttention())]);
    let count = 0;
    let failed = 0;
    for (const [resourceType, uuids] of watched) {
      const driver = this.drivers.find(resourceType);
      if (!driver?.readHealth) continue;
      count += uuids.length;
      failed += await this.reconcileNodes(resourceType, uuids, await driver.readHealth(uuids));
    }
    await this.records.dropFlagsOfEndedLeases(FLAGGABLE);
    return { watched: count, failed };
  }

  /** Applies the readings of one resource type; returns how many nodes failed. */
  private async reconcileNodes(
    resourceType: string,
    uuids: readonly string[],
    readings: ReadonlyMap<string, NodeHealthReading>,
  ): Promise<number> {
    const trustMissing = readings.size > 0 || uuids.length < MASS_DISAPPEARANCE;
    if (!trustMissing) {
      this.logger.error(
        `${resourceType}: none of the ${uuids.length} nodes with offers or leases exists any more; ` +
          'not ending anything (is the driver pointed at the right backend?)',
      );
    }
    const rows = await this.records.rowsOf(resourceType, uuids);
    const observedAt = this.clock.now();
    const firstSeenHealthy: NodeHealthEntity[] = [];
    let failed = 0;
    for (const resourceUuid of uuids) {
      const reading = readings.get(resourceUuid);
      if (!reading && !trustMissing) continue;
      const ref = { resourceType, resourceUuid };
      const row = rows.get(resourceUuid) ?? null;
      if (!row && reading && healthProblem(reading, this.config.node_health.unhealthy_provision_states) === null) {
        firstSeenHealthy.push(healthyRow(ref, reading, observedAt));
        continue;
      }
      const observation: NodeObservation = reading
        ? { ref, observedAt, source: 'current', kind: 'present', reading }
        : { ref, observedAt, source: 'current', kind: 'gone' };
      try {
        await this.effects.apply(observation, row);
      } catch (err) {
        failed++;
        this.logger.error(`reconciling ${resourceType}/${resourceUuid} failed: ${String(err)}`);
      }
    }
    await this.records.insertIfAbsent(firstSeenHealthy);
    return failed;
  }
}

function healthyRow(ref: ResourceRef, reading: NodeHealthReading, at: UtcTime): NodeHealthEntity {
  return {
    ...ref,
    state: 'healthy',
    reason: null,
    owner: reading.owner,
    resourceClass: reading.resourceClass,
    ownerHandoverFrom: null,
    observedAt: at,
    updatedAt: at,
  };
}

function byType(refs: readonly ResourceRef[]): Map<string, string[]> {
  const grouped = new Map<string, Set<string>>();
  for (const ref of refs) {
    const uuids = grouped.get(ref.resourceType) ?? new Set<string>();
    uuids.add(ref.resourceUuid);
    grouped.set(ref.resourceType, uuids);
  }
  return new Map([...grouped].map(([type, uuids]) => [type, [...uuids]]));
}

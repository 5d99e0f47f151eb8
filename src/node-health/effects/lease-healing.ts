import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { matchesAllConstraints } from '../../constraints/constraint-evaluator';
import { parseConstraint } from '../../constraints/constraint-parser';
import { EsiLeapException } from '../../common/errors/esi-leap.exceptions';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { ResourceRef } from '../../db/transaction-runner';
import { ResourceDriver } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';
import { BookingService } from '../../leasing/booking/booking.service';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { OfferEntity } from '../../leasing/data/offer.entity';
import { EventRecorder } from '../../leasing/lifecycle/event-recorder';
import { healthProblem } from '../health-verdict';
import { NodeHealthRecords } from '../../leasing/health/node-health-records';
import { NodeBookingsRepository } from './node-bookings.repository';

/**
 * `[node_health] replace_future_leases`: moves each lease that has not started off an unhealthy
 * node into an available offer of the same owner on another node of the same resource type and
 * class, healthy when read just now, whose window covers the lease and is free for it, tightest
 * offer first. The move, its events (`esi_leap.lease.moved`, then `esi_leap.lease.recovered`)
 * and the cleared flag commit together (BookingService.moveLease, which the booking guards
 * check). A lease with nowhere to go stays where it is, flagged, and is tried again with the
 * node's next observation. A member of a lease group moves only to a node that meets the
 * constraints the group was booked with.
 */
@Injectable()
export class LeaseHealing {
  private readonly logger = new Logger('esi-leap.node_health');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly bookings: NodeBookingsRepository,
    private readonly booking: BookingService,
    private readonly drivers: ResourceDriverRegistry,
    private readonly records: NodeHealthRecords,
    private readonly events: EventRecorder,
  ) {}

  /** `resourceClass`: the unhealthy node's, as just observed; a replacement must have the same. */
  async moveFutureLeases(ref: ResourceRef, resourceClass: string | null): Promise<void> {
    const driver = this.drivers.find(ref.resourceType);
    if (!driver?.readHealth) return;
    const leases = await this.bookings.futureLeasesOn(ref, this.clock.now());
    for (const lease of leases) {
      const targets = await this.bookings.healingTargets(lease);
      const health = await driver.readHealth([...new Set(targets.map((t) => t.resourceUuid))]);
      const healthy = targets.filter((t) => {
        const reading = health.get(t.resourceUuid);
        return (
          reading !== undefined &&
          reading.resourceClass === resourceClass &&
          healthProblem(reading, this.config.node_health.unhealthy_provision_states) === null
        );
      });
      const fit = await this.meetingGroupConstraints(lease, healthy, driver);
      const moved = await this.moveIntoFirst(lease, fit);
      this.logger.log(
        JSON.stringify({
          event: moved ? 'lease.moved' : 'lease.not_moved',
          lease: lease.uuid,
          from: `${ref.resourceType}/${ref.resourceUuid}`,
          ...(moved
            ? { to: `${moved.resourceType}/${moved.resourceUuid}`, offer: moved.uuid }
            : { candidates: fit.length }),
        }),
      );
    }
  }

  /** The offers whose nodes meet the constraints of the lease's group, if it was booked in one. */
  private async meetingGroupConstraints(
    lease: LeaseEntity,
    offers: readonly OfferEntity[],
    driver: ResourceDriver,
  ): Promise<readonly OfferEntity[]> {
    if (offers.length === 0) return offers;
    const texts = await this.bookings.groupConstraintsOf(lease.uuid);
    if (texts.length === 0) return offers;
    const constraints = texts.map(parseConstraint);
    const nodes = await driver.getMany([...new Set(offers.map((o) => o.resourceUuid))]);
    return offers.filter((o) => {
      const node = nodes.get(o.resourceUuid);
      return node !== undefined && matchesAllConstraints(node.properties, constraints);
    });
  }

  /** The offer the lease went into, or null when every one refused it (taken meanwhile, unhealthy, ...). */
  private async moveIntoFirst(lease: LeaseEntity, offers: readonly OfferEntity[]): Promise<OfferEntity | null> {
    for (const offer of offers) {
      try {
        await this.booking.moveLease(lease, offer.uuid, async (em, moved) => {
          await this.records.unflag(em, [moved.uuid]);
          const now = this.clock.now();
          await this.events.record(
            em,
            [
              { type: 'esi_leap.lease.moved', lease: moved },
              { type: 'esi_leap.lease.recovered', lease: moved },
            ],
            now,
          );
        });
        return offer;
      } catch (err) {
        // A refusal (409) means this offer will not do: the next one might.
        if (!(err instanceof EsiLeapException) || err.status !== 409) throw err;
      }
    }
    return null;
  }
}

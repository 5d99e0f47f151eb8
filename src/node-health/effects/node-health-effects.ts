import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { UtcTime } from '../../common/time';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { ResourceRef, TransactionRunner } from '../../db/transaction-runner';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { EventRecorder } from '../../leasing/lifecycle/event-recorder';
import { LeaseLifecycle } from '../../leasing/lifecycle/lease-lifecycle';
import { GONE_REASON, healthProblem } from '../health-verdict';
import { NodeObservation } from '../node-observation';
import { NodeHealthEntity, NodeHealthState } from '../../leasing/health/node-health.entity';
import { NodeHealthRecords } from '../../leasing/health/node-health-records';
import { LeaseHealing } from './lease-healing';
import { NodeBookingsRepository } from './node-bookings.repository';

/** What an observation says the node's row should become. */
interface Verdict {
  readonly state: NodeHealthState;
  readonly reason: string | null;
  readonly owner: string | null;
  readonly resourceClass: string | null;
}

/** What the recording transaction leaves for the steps after it. */
interface Recorded {
  readonly state: NodeHealthState;
  readonly resourceClass: string | null;
  readonly ownerHandoverFrom: string | null;
}

/**
 * Carries out what a node's health means for what is booked on it (docs/node-health.md),
 * converging on the observation however often, late or out of order it arrives:
 *
 * 1. under the node's lock, one transaction records the node's state and flags its live leases
 *    (`esi_leap.lease.degraded`) or clears their flags (`esi_leap.lease.recovered`);
 * 2. a node that no longer exists: its offers and leases end through LeaseLifecycle, as expiry;
 * 3. a node whose owner changed: what the previous owner granted there ends the same way (the
 *    hand-over is remembered in step 1 and forgotten only once done, so a crash cannot lose it);
 * 4. with `[node_health] replace_future_leases`, leases that have not started move elsewhere.
 */
@Injectable()
export class NodeHealthEffects {
  private readonly logger = new Logger('esi-leap.node_health');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly tx: TransactionRunner,
    private readonly records: NodeHealthRecords,
    private readonly bookings: NodeBookingsRepository,
    private readonly events: EventRecorder,
    private readonly lifecycle: LeaseLifecycle,
    private readonly healing: LeaseHealing,
  ) {}

  /**
   * Applies one observation. `known` is the node's row as the caller read it (undefined: not
   * read), used to skip a node whose state is unchanged, healthy and settled without a lock.
   */
  async apply(observation: NodeObservation, known?: NodeHealthEntity | null): Promise<void> {
    if (known !== undefined && isSettled(known, this.verdictOf(observation, known))) return;
    const recorded = await this.tx.runLocked([observation.ref], (em) => this.record(em, observation));
    if (!recorded) return;
    if (recorded.state === 'gone') await this.endAll(observation.ref);
    if (recorded.ownerHandoverFrom !== null) await this.endGrantsOf(observation.ref, recorded.ownerHandoverFrom);
    if (recorded.state === 'unhealthy' && this.config.node_health.replace_future_leases) {
      await this.healing.moveFutureLeases(observation.ref, recorded.resourceClass);
    }
  }

  /** Step 1; null when the observation is older than what is recorded. */
  private async record(em: EntityManager, observation: NodeObservation): Promise<Recorded | null> {
    const { ref } = observation;
    const now = this.clock.now();
    const row = await this.records.find(em, ref);
    if (observation.source === 'payload' && row && row.observedAt > observation.observedAt) return null;
    const verdict = this.verdictOf(observation, row);
    let handover = row?.ownerHandoverFrom ?? null;
    if (row?.owner && row.owner !== verdict.owner && handover === null) handover = row.owner;
    // Given back to the owner whose grants were about to end: nothing of theirs ends.
    if (handover !== null && handover === verdict.owner) handover = null;
    if (!row || !sameVerdict(row, verdict) || handover !== row.ownerHandoverFrom) {
      await this.records.save(em, {
        ...ref,
        ...verdict,
        ownerHandoverFrom: handover,
        observedAt: observation.observedAt,
        updatedAt: now,
      });
      if (!row || row.state !== verdict.state || row.reason !== verdict.reason) this.logChange(ref, row, verdict);
    }
    await this.syncFlags(em, ref, verdict, now);
    return { state: verdict.state, resourceClass: verdict.resourceClass, ownerHandoverFrom: handover };
  }

  private verdictOf(observation: NodeObservation, row: NodeHealthEntity | null): Verdict {
    if (observation.kind === 'gone') {
      return {
        state: 'gone',
        reason: GONE_REASON,
        owner: row?.owner ?? null,
        resourceClass: row?.resourceClass ?? null,
      };
    }
    const { reading } = observation;
    const reason = healthProblem(reading, this.config.node_health.unhealthy_provision_states);
    return {
      state: reason ? 'unhealthy' : 'healthy',
      reason,
      owner: reading.owner,
      resourceClass: reading.resourceClass,
    };
  }

  /**
   * Flags every live lease of an unhealthy node (an event for each newly flagged one) or clears
   * the flags of a healthy one (an event for each lease still live). A vanished node's flags go
   * quietly: its leases are about to end.
   */
  private async syncFlags(em: EntityManager, ref: ResourceRef, verdict: Verdict, now: UtcTime): Promise<void> {
    const flagged = new Map((await this.records.degradationsOn(em, ref)).map((d) => [d.leaseUuid, d]));
    const live = await this.bookings.flaggableOn(em, ref);
    if (verdict.state === 'unhealthy') {
      const reason = verdict.reason!;
      const newly = live.filter((l) => !flagged.has(l.uuid));
      const stale = live.filter((l) => flagged.has(l.uuid) && flagged.get(l.uuid)!.reason !== reason);
      await this.records.flag(
        em,
        [...newly, ...stale].map((l) => ({
          ...ref,
          leaseUuid: l.uuid,
          reason,
          since: flagged.get(l.uuid)?.since ?? now,
        })),
      );
      const liveUuids = new Set(live.map((l) => l.uuid));
      await this.records.unflag(
        em,
        [...flagged.keys()].filter((uuid) => !liveUuids.has(uuid)),
      );
      await this.recordEvents(em, 'esi_leap.lease.degraded', newly, now);
      return;
    }
    if (flagged.size === 0) return;
    await this.records.unflag(em, [...flagged.keys()]);
    if (verdict.state === 'healthy') {
      await this.recordEvents(
        em,
        'esi_leap.lease.recovered',
        live.filter((l) => flagged.has(l.uuid)),
        now,
      );
    }
  }

  private async recordEvents(
    em: EntityManager,
    type: 'esi_leap.lease.degraded' | 'esi_leap.lease.recovered',
    leases: readonly LeaseEntity[],
    now: UtcTime,
  ): Promise<void> {
    if (leases.length === 0) return;
    await this.events.record(
      em,
      leases.map((lease) => ({ type, lease })),
      now,
    );
    this.logger.log(JSON.stringify({ event: `lease.${type.split('.').pop()}`, leases: leases.map((l) => l.uuid) }));
  }

  /** Step 2: the node is gone; nothing booked on it can be honoured, and nothing is retried against it. */
  private async endAll(ref: ResourceRef): Promise<void> {
    const live = await this.bookings.liveOn(ref);
    if (live.offerUuids.length === 0 && live.leaseUuids.length === 0) return;
    this.logger.warn(
      JSON.stringify({ event: 'node.gone', resource: `${ref.resourceType}/${ref.resourceUuid}`, ending: live }),
    );
    await this.lifecycle.endEarly(live.offerUuids, live.leaseUuids);
  }

  /** Step 3: the node changed hands; what its previous owner granted there ends. */
  private async endGrantsOf(ref: ResourceRef, previousOwner: string): Promise<void> {
    const granted = await this.bookings.grantedBy(ref, previousOwner);
    if (granted.offerUuids.length > 0 || granted.leaseUuids.length > 0) {
      this.logger.warn(
        JSON.stringify({
          event: 'node.owner_changed',
          resource: `${ref.resourceType}/${ref.resourceUuid}`,
          previous_owner: previousOwner,
          ending: granted,
        }),
      );
      await this.lifecycle.endEarly(granted.offerUuids, granted.leaseUuids);
    }
    await this.tx.runLocked([ref], (em) => this.records.clearOwnerHandover(em, ref, previousOwner));
  }

  private logChange(ref: ResourceRef, row: NodeHealthEntity | null, verdict: Verdict): void {
    this.logger.log(
      JSON.stringify({
        event: 'node.health',
        resource: `${ref.resourceType}/${ref.resourceUuid}`,
        from: row?.state ?? null,
        to: verdict.state,
        reason: verdict.reason,
      }),
    );
  }
}

function sameVerdict(row: NodeHealthEntity, verdict: Verdict): boolean {
  return (
    row.state === verdict.state &&
    row.reason === verdict.reason &&
    row.owner === verdict.owner &&
    row.resourceClass === verdict.resourceClass
  );
}

/** A healthy node recorded exactly so, with no hand-over pending: nothing can follow from it. */
function isSettled(row: NodeHealthEntity | null, verdict: Verdict): boolean {
  return row !== null && verdict.state === 'healthy' && sameVerdict(row, verdict) && row.ownerHandoverFrom === null;
}

import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { UtcTime } from '../../common/time';
import { ResourceRef, TransactionRunner } from '../../db/transaction-runner';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OfferEntity } from '../data/offer.entity';
import { OffersRepository } from '../data/offers.repository';
import {
  CANCELLABLE,
  ENDING,
  EXPIRABLE,
  FULFILLABLE,
  LEASE_CAN_DELETE,
  LeaseStatus,
  OFFER_CAN_DELETE,
  OfferStatus,
} from '../data/statuses';
import { LeaseClaims } from './lease-claims';
import { NodeHandover } from './node-handover';
import { TransitionRecorder } from './transition-recorder';
import { endKindOf, isDueForFulfilment, PlannedTransition, TransitionOutcome, TRANSITIONS } from './transitions';

type EndKind = 'cancel' | 'expire';

/**
 * The one transition path of leases and offers, for the API and the manager alike. Each
 * transition runs in three steps (docs/architecture.md, "Transitions"):
 *
 * 1. decide, in one short transaction under the resource locks: re-read what changes, move
 *    ending leases to their `wait …` status together with everything booked inside them
 *    (sub-leases, sub-offers and their leases, the leases of an ending offer), and claim the
 *    leases whose nodes must be given or taken back;
 * 2. call the driver for the claimed leases with no transaction or lock held;
 * 3. record the outcome in a second short transaction, by compare-and-set (TransitionRecorder).
 *
 * Because a cascade and its parent change commit together under the resource lock that every
 * booking takes (BookingService), nothing can be booked inside an offer or lease once its end
 * is decided, and a lease whose offer or parent ended is cancelled instead of fulfilled.
 */
@Injectable()
export class LeaseLifecycle {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly offers: OffersRepository,
    private readonly claims: LeaseClaims,
    private readonly handover: NodeHandover,
    private readonly recorder: TransitionRecorder,
  ) {}

  /** Cancels a lease and everything booked inside it (API DELETE). */
  async cancelLease(uuid: string): Promise<TransitionOutcome> {
    return (await this.cancelLeases([uuid])).get(uuid) ?? 'skipped';
  }

  /**
   * Cancels several leases and everything booked inside them, decided in one transaction (a
   * lease group's DELETE). `alsoWrite` runs in that transaction, for what must commit with the
   * decision (the group's own status and event).
   */
  async cancelLeases(
    uuids: readonly string[],
    alsoWrite?: (em: EntityManager, now: UtcTime) => Promise<void>,
  ): Promise<Map<string, TransitionOutcome>> {
    const seen = await this.leases.findByUuids(uuids);
    return this.transition(seen, async (em, now) => {
      const leases = (await this.leases.takeManyForProcessing(em, uuids)).filter((l) => CANCELLABLE.includes(l.status));
      await alsoWrite?.(em, now);
      return this.planEnds(em, leases, 'cancel', now);
    });
  }

  /** Cancels an offer and every lease claimed from it (API DELETE). */
  async cancelOffer(uuid: string): Promise<void> {
    const seen = await this.offers.findByUuids([uuid]);
    await this.transition(seen, async (em, now) =>
      this.planOfferEnds(em, await this.liveOffers(em, [uuid]), 'cancel', now),
    );
  }

  /** Gives their nodes to due leases (`created`/`wait fulfill`, `start <= now <= end`). */
  async fulfil(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    return this.transition(await this.leases.findByUuids(uuids), async (em, now) => {
      const due = (await this.leases.takeManyForProcessing(em, uuids)).filter((lease) =>
        isDueForFulfilment(lease, now),
      );
      return this.planFulfilments(em, due, now);
    });
  }

  /** Ends leases whose `end_time` has passed, with everything booked inside them. */
  async expireLeases(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    return this.transition(await this.leases.findByUuids(uuids), async (em, now) => {
      const ended = (await this.leases.takeManyForProcessing(em, uuids)).filter(
        (l) => EXPIRABLE.includes(l.status) && l.endTime <= now,
      );
      return this.planEnds(em, ended, 'expire', now);
    });
  }

  /** Ends offers whose `end_time` has passed, with their leases; the outcome is per offer. */
  async expireOffers(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    const expired = new Set<string>();
    const seen = await this.offers.findByUuids(uuids);
    await this.transition(seen, async (em, now) => {
      const ended = (await this.liveOffers(em, uuids)).filter((o) => o.endTime <= now);
      const planned = await this.planOfferEnds(em, ended, 'expire', now);
      ended.forEach((o) => expired.add(o.uuid));
      return planned;
    });
    return new Map(uuids.map((uuid) => [uuid, expired.has(uuid) ? 'done' : 'skipped']));
  }

  /**
   * Ends offers (`expired`) and leases before their end time, with everything booked inside
   * them, as their expiry would: for a node that left esi-leap's hands (deleted in its backend,
   * given to another owner). A lease already ending with one of the offers is planned once.
   */
  async endEarly(offerUuids: readonly string[], leaseUuids: readonly string[]): Promise<void> {
    const seen = [...(await this.offers.findByUuids(offerUuids)), ...(await this.leases.findByUuids(leaseUuids))];
    await this.transition(seen, async (em, now) => {
      const planned = await this.planOfferEnds(em, await this.liveOffers(em, offerUuids), 'expire', now);
      const planning = new Set(planned.map((p) => p.lease.uuid));
      const leases = (await this.leases.takeManyForProcessing(em, leaseUuids)).filter(
        (l) => EXPIRABLE.includes(l.status) && !planning.has(l.uuid),
      );
      return [...planned, ...(await this.planEnds(em, leases, 'expire', now))];
    });
  }

  /** Takes nodes back from leases already in `wait cancel`/`wait expire`: retries, and ends whose claimant died. */
  async finishEnds(uuids: readonly string[]): Promise<Map<string, TransitionOutcome>> {
    return this.transition(await this.leases.findByUuids(uuids), async (em) => {
      const ending = (await this.leases.takeManyForProcessing(em, uuids)).filter((l) => ENDING.includes(l.status));
      return ending.map((lease) => ({ kind: endKindOf(lease.status)!, lease }));
    });
  }

  /**
   * Decides under the locks of `resources` (the resources of the rows to change, read before:
   * they never change, and whatever is booked inside a lease or offer is on its resource), then
   * calls the driver, then records.
   */
  private async transition(
    resources: readonly ResourceRef[],
    decide: (em: EntityManager, now: UtcTime) => Promise<PlannedTransition[]>,
  ): Promise<Map<string, TransitionOutcome>> {
    if (resources.length === 0) return new Map();
    // "Now" once the locks are held: a transition that waited for another must not be stamped
    // with a time before the one it waited for.
    const { claim, now } = await this.tx.runLocked(resources, async (em) => {
      const now = this.clock.now();
      return { claim: await this.claims.take(em, await decide(em, now), now), now };
    });
    if (claim.claimed.length === 0) return new Map();
    const result = await this.claims.hold(claim.token, () => this.handover.run(claim.claimed, now));
    return this.tx.runLocked(
      claim.claimed.map((p) => p.lease),
      (em) => this.recorder.record(em, claim, result, this.clock.now()),
    );
  }

  /** The offers among `uuids` that may still end, read again under their locks. */
  private async liveOffers(em: EntityManager, uuids: readonly string[]): Promise<OfferEntity[]> {
    return (await this.offers.findByUuids(uuids, em)).filter((o) => OFFER_CAN_DELETE.includes(o.status));
  }

  /**
   * Due leases are fulfilled, unless what they were booked inside has ended meanwhile (their
   * offer is no longer available, or their parent no longer active): those are cancelled.
   */
  private async planFulfilments(
    em: EntityManager,
    due: readonly LeaseEntity[],
    now: UtcTime,
  ): Promise<PlannedTransition[]> {
    const offerUuids = due.map((l) => l.offerUuid).filter((uuid): uuid is string => uuid !== null);
    const parentUuids = due.map((l) => l.parentLeaseUuid).filter((uuid): uuid is string => uuid !== null);
    const liveOffers = new Set(
      (await this.offers.findByUuids(offerUuids, em))
        .filter((o) => o.status === OfferStatus.AVAILABLE)
        .map((o) => o.uuid),
    );
    const liveParents = new Set(
      (await this.leases.findByUuids(parentUuids, em))
        .filter((p) => p.status === LeaseStatus.ACTIVE)
        .map((p) => p.uuid),
    );
    const orphaned = due.filter(
      (l) =>
        (l.offerUuid !== null && !liveOffers.has(l.offerUuid)) ||
        (l.parentLeaseUuid !== null && !liveParents.has(l.parentLeaseUuid)),
    );
    if (orphaned.length > 0) {
      this.logger.warn(
        JSON.stringify({
          event: 'lease.orphaned',
          leases: orphaned.map((l) => l.uuid),
          action: 'cancelled instead of fulfilled',
        }),
      );
      await this.leases.transitionMany(
        em,
        orphaned.map((l) => l.uuid),
        FULFILLABLE,
        { status: TRANSITIONS.cancel.waitStatus },
        now,
      );
    }
    return due.map((lease) => ({ kind: orphaned.includes(lease) ? 'cancel' : 'fulfil', lease }));
  }

  /** Offers end at once (no driver call), then the leases claimed from them as for `planEnds`. */
  private async planOfferEnds(
    em: EntityManager,
    offers: readonly OfferEntity[],
    kind: EndKind,
    now: UtcTime,
  ): Promise<PlannedTransition[]> {
    const uuids = offers.map((o) => o.uuid);
    await this.offers.transitionMany(em, uuids, OFFER_CAN_DELETE, endedOfferStatus(kind), now);
    const claimed = await this.leases.findByOffers(em, uuids, LEASE_CAN_DELETE);
    return this.planEnds(em, claimed, kind, now);
  }

  /**
   * Ends `roots` and, in the same transaction, everything booked inside them: their sub-offers
   * end, and their sub-leases (and the leases claimed from those sub-offers) end with them.
   * Only one level of sub-leasing exists, so a sub-lease has nothing inside it. Every lease
   * moves to the kind's `wait …` status now; the node calls and final statuses follow.
   * Sub-leases come first, so their events precede their parent's, as they did upstream.
   */
  private async planEnds(
    em: EntityManager,
    roots: readonly LeaseEntity[],
    kind: EndKind,
    now: UtcTime,
  ): Promise<PlannedTransition[]> {
    if (roots.length === 0) return [];
    const rootUuids = roots.map((l) => l.uuid);
    const subOffers = await this.offers.findByParentLeases(em, rootUuids, OFFER_CAN_DELETE);
    const subOfferUuids = subOffers.map((o) => o.uuid);
    await this.offers.transitionMany(em, subOfferUuids, OFFER_CAN_DELETE, endedOfferStatus(kind), now);
    const inside = new Map<string, LeaseEntity>();
    for (const child of [
      ...(await this.leases.findByParentLeases(em, rootUuids, LEASE_CAN_DELETE)),
      ...(await this.leases.findByOffers(em, subOfferUuids, LEASE_CAN_DELETE)),
    ]) {
      if (!rootUuids.includes(child.uuid)) inside.set(child.uuid, child);
    }
    const all = [...inside.values(), ...roots];
    await this.leases.transitionMany(
      em,
      all.map((l) => l.uuid),
      kind === 'cancel' ? CANCELLABLE : EXPIRABLE,
      { status: TRANSITIONS[kind].waitStatus },
      now,
    );
    return all.map((lease) => ({ kind, lease }));
  }
}

function endedOfferStatus(kind: EndKind) {
  return kind === 'cancel' ? OfferStatus.DELETED : OfferStatus.EXPIRED;
}

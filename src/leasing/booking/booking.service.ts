import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import {
  InvalidTimeRange,
  LeaseChildrenOutlast,
  LeaseNotMovable,
  OfferNotFound,
  ResourceBusy,
} from '../../common/errors/esi-leap.exceptions';
import { UtcTime } from '../../common/time';
import { TransactionRunner } from '../../db/transaction-runner';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { OfferEntity } from '../data/offer.entity';
import { OffersRepository } from '../data/offers.repository';
import { LEASE_OCCUPYING, LeaseStatus, OFFER_OCCUPYING, OfferStatus } from '../data/statuses';
import { BOOKING_GUARDS, BookingCandidate, BookingContext, BookingGuard, BookingRequester } from './booking-guard';
import { ConflictChecks } from './conflict-checks';
import { LeaseScheduleNotifier } from './lease-schedule.notifier';

/** Where a booking takes its window from. */
export type BookingScope =
  /** Directly on the resource, as its owner (or an admin). */
  | { readonly kind: 'resource' }
  /** Inside an available offer: a claim. */
  | { readonly kind: 'offer'; readonly offerUuid: string }
  /** Inside an active parent lease: a sub-lease or a sub-offer. */
  | { readonly kind: 'parent'; readonly parentUuid: string };

export interface Booking {
  readonly resourceType: string;
  readonly resourceUuid: string;
  readonly start: UtcTime;
  readonly end: UtcTime;
  readonly scope: BookingScope;
  /** The lease whose window is being extended: it does not conflict with itself. */
  readonly extending?: string;
}

export interface NewOfferFields {
  readonly name: string | null;
  readonly projectId: string;
  readonly lesseeId: string | null;
  readonly resourceType: string;
  readonly resourceUuid: string;
  readonly start: UtcTime;
  readonly end: UtcTime;
  readonly properties: Record<string, unknown>;
  readonly parentLeaseUuid: string | null;
  readonly requester?: BookingRequester;
}

export interface NewLeaseFields {
  readonly name: string | null;
  readonly projectId: string;
  readonly ownerId: string;
  readonly purpose: string | null;
  readonly resourceType: string;
  readonly resourceUuid: string;
  readonly start: UtcTime;
  readonly end: UtcTime;
  readonly properties: Record<string, unknown>;
  readonly offerUuid: string | null;
  readonly parentLeaseUuid: string | null;
  readonly requester?: BookingRequester;
}

/** How a lease's end is changed, besides the new end. */
export interface LeaseEndChange {
  readonly requester?: BookingRequester;
  /** Set for a caller who may only extend: anything but a later end is refused with this error. */
  readonly onlyLater?: () => Error;
  /**
   * Writes what the change leaves behind (the events of the leases whose end moved), inside the
   * change's transaction; `changed` holds only the leases whose end actually moved.
   */
  readonly record: (em: EntityManager, changed: readonly LeaseEntity[], now: UtcTime) => Promise<void>;
}

/**
 * The one booking path: every offer, claim, lease, sub-lease, sub-offer and extension takes
 * its resource's lock, checks what blocks it (ConflictChecks) and writes, in one transaction.
 * The lock serialises it against every other booking of the resource and against cancels and
 * expiries of what it books inside (LeaseLifecycle takes the same lock), so two bookings
 * never overlap and nothing is booked inside an offer or lease that is ending.
 */
@Injectable()
export class BookingService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly offers: OffersRepository,
    private readonly leases: LeasesRepository,
    private readonly conflicts: ConflictChecks,
    private readonly schedule: LeaseScheduleNotifier,
    @Inject(BOOKING_GUARDS) private readonly guards: readonly BookingGuard[],
  ) {}

  /** Publishes an offer: directly on the resource, or inside the caller's lease (a sub-offer). */
  async createOffer(fields: NewOfferFields): Promise<OfferEntity> {
    const scope: BookingScope = fields.parentLeaseUuid
      ? { kind: 'parent', parentUuid: fields.parentLeaseUuid }
      : { kind: 'resource' };
    const candidate: BookingCandidate = { kind: 'offer', ...fields };
    const context = new BookingContext();
    await this.beforeLocking([candidate], context);
    return this.tx.runLocked([fields], async (em) => {
      await this.reserve(em, { ...fields, scope });
      await this.check(em, [candidate], context);
      return this.offers.insert(em, {
        uuid: randomUUID(),
        name: fields.name,
        projectId: fields.projectId,
        lesseeId: fields.lesseeId,
        resourceType: fields.resourceType,
        resourceUuid: fields.resourceUuid,
        startTime: fields.start,
        endTime: fields.end,
        status: OfferStatus.AVAILABLE,
        properties: fields.properties,
        parentLeaseUuid: fields.parentLeaseUuid,
        createdAt: this.clock.now(),
      });
    });
  }

  /** Creates a lease: a claim (`offerUuid`), a sub-lease (`parentLeaseUuid`) or a lease on the resource. */
  async createLease(fields: NewLeaseFields): Promise<LeaseEntity> {
    return (await this.createLeases([fields]))[0];
  }

  /**
   * Creates several leases all or none (a group), in one transaction holding every resource's
   * lock, taken in sorted order so two groups over the same nodes cannot deadlock. Each member
   * is checked exactly as a single lease; the guards see all of them at once. `alsoWrite` runs
   * in the same transaction after the inserts, for what must commit with them (a group's rows).
   */
  async createLeases(
    members: readonly NewLeaseFields[],
    alsoWrite?: (em: EntityManager, created: readonly LeaseEntity[], now: UtcTime) => Promise<void>,
  ): Promise<LeaseEntity[]> {
    const candidates = members.map((fields): BookingCandidate => ({ kind: 'lease', ...fields }));
    const context = new BookingContext();
    await this.beforeLocking(candidates, context);
    const leases = await this.tx.runLocked(members, async (em) => {
      // After the lock, as upstream checked it inside its lock: an inverted window is
      // reported only once the resource is known to be bookable at all.
      const inverted = members.find((fields) => fields.start >= fields.end);
      if (inverted) {
        throw new InvalidTimeRange({ resource: 'lease', start_time: inverted.start, end_time: inverted.end });
      }
      // Claims are checked together, in two statements however many members claim.
      await this.conflicts.assertFreeInOffers(
        em,
        members.flatMap((fields) =>
          fields.offerUuid ? [{ offerUuid: fields.offerUuid, start: fields.start, end: fields.end }] : [],
        ),
      );
      for (const fields of members) {
        if (!fields.offerUuid) await this.reserve(em, { ...fields, scope: leaseScope(fields) });
      }
      await this.check(em, candidates, context);
      const now = this.clock.now();
      const created = await this.leases.insertAll(
        em,
        members.map((fields) => newLeaseRow(fields, now)),
      );
      await alsoWrite?.(em, created, now);
      return created;
    });
    this.schedule.notify();
    return leases;
  }

  /** Moves one lease's end: `changeLeaseEnds` for a single lease. */
  async changeLeaseEnd(
    leaseUuid: string,
    fallback: LeaseEntity,
    newEnd: UtcTime,
    change: LeaseEndChange,
  ): Promise<LeaseEntity> {
    const [updated] = await this.changeLeaseEnds([{ ...fallback, uuid: leaseUuid }], newEnd, change);
    return updated;
  }

  /**
   * Moves the end of several leases to `newEnd`, all or none, in one transaction holding every
   * lease's resource lock. For each lease, a later end books the added window
   * `[old end, new end)` as at creation (the guards' calls out happen first, before any lock,
   * and the guards then see every added window at once); an earlier one may not cut into the
   * sub-leases and sub-offers made inside it. Any refusal leaves every lease as it was.
   */
  async changeLeaseEnds(
    leases: readonly LeaseEntity[],
    newEnd: UtcTime,
    change: LeaseEndChange,
  ): Promise<LeaseEntity[]> {
    const extendedAsRead = new Set(leases.filter((l) => newEnd > l.endTime).map((l) => l.uuid));
    const context = new BookingContext();
    if (change.onlyLater && extendedAsRead.size < leases.length) throw change.onlyLater();
    if (extendedAsRead.size > 0) {
      await this.beforeLocking(
        leases.filter((l) => extendedAsRead.has(l.uuid)).map((l) => extensionCandidate(l, newEnd, change.requester)),
        context,
      );
    }
    const updated = await this.tx.runLocked(leases, async (em) => {
      const candidates: BookingCandidate[] = [];
      const currents: LeaseEntity[] = [];
      for (const fallback of leases) {
        const current = (await this.leases.findByUuid(fallback.uuid, em)) ?? fallback;
        currents.push(current);
        if (current.startTime >= newEnd) {
          throw new InvalidTimeRange({ resource: 'lease', start_time: current.startTime, end_time: newEnd });
        }
        if (newEnd > current.endTime) {
          // The calls out were made for the lease as read before the lock: an end moved back
          // meanwhile would make this an extension nobody checked.
          if (!extendedAsRead.has(current.uuid)) throw new ResourceBusy({ resource: `lease ${current.uuid}` });
          const candidate = extensionCandidate(current, newEnd, change.requester);
          await this.reserve(em, { ...candidate, scope: leaseScope(current), extending: current.uuid });
          candidates.push(candidate);
        } else if (change.onlyLater) {
          throw change.onlyLater();
        } else if (newEnd < current.endTime) {
          await this.assertChildrenEndBy(em, current.uuid, newEnd);
        }
      }
      if (candidates.length > 0) await this.check(em, candidates, context);
      const now = this.clock.now();
      const results: LeaseEntity[] = [];
      const changed: LeaseEntity[] = [];
      for (const current of currents) {
        await this.leases.setEndTime(em, current.uuid, newEnd, now);
        const result = { ...current, endTime: newEnd, updatedAt: now };
        results.push(result);
        if (newEnd !== current.endTime) changed.push(result);
      }
      await change.record(em, changed, now);
      return results;
    });
    this.schedule.notify();
    return updated;
  }

  /**
   * Moves a lease that has not started into an available offer of the same owner on another
   * resource (healing a lease whose node became unhealthy): same uuid, window and lessee. Both
   * resources are locked; the offer must cover the window and be free for it, be open to the
   * lease's project (unrestricted or restricted to it), and the guards see the move. `onMoved` runs in the same transaction, for what must commit with the move
   * (its events). Refused with the usual conflict errors, or LeaseNotMovable when the lease has
   * started or changed meanwhile.
   */
  async moveLease(
    fallback: LeaseEntity,
    offerUuid: string,
    onMoved: (em: EntityManager, moved: LeaseEntity) => Promise<void>,
  ): Promise<LeaseEntity> {
    const target = await this.offers.findByUuid(offerUuid);
    if (!target) throw new OfferNotFound({ offer_uuid: offerUuid });
    const context = new BookingContext();
    const move = { resourceType: target.resourceType, resourceUuid: target.resourceUuid, start: fallback.startTime };
    await this.beforeLocking(
      [{ kind: 'move', ...move, end: fallback.endTime, projectId: fallback.projectId, current: fallback }],
      context,
    );
    return this.tx.runLocked([fallback, target], async (em) => {
      const current = await this.leases.findByUuid(fallback.uuid, em);
      const now = this.clock.now();
      if (
        !current ||
        current.status !== LeaseStatus.CREATED ||
        current.startTime <= now ||
        current.resourceUuid !== fallback.resourceUuid ||
        current.parentLeaseUuid !== null
      ) {
        throw new LeaseNotMovable({ lease_uuid: fallback.uuid });
      }
      const offer = await this.conflicts.assertFreeInOffer(em, offerUuid, current.startTime, current.endTime);
      if (
        offer.projectId !== current.ownerId ||
        offer.resourceType !== current.resourceType ||
        offer.parentLeaseUuid !== null ||
        (offer.lesseeId !== null && offer.lesseeId !== current.projectId)
      ) {
        throw new LeaseNotMovable({ lease_uuid: current.uuid });
      }
      if (
        offer.uuid !== target.uuid ||
        current.startTime !== fallback.startTime ||
        current.endTime !== fallback.endTime
      ) {
        throw new LeaseNotMovable({ lease_uuid: current.uuid });
      }
      await this.check(
        em,
        [{ kind: 'move', ...move, end: current.endTime, projectId: current.projectId, current }],
        context,
      );
      await this.leases.moveToOffer(em, current.uuid, offer.resourceUuid, offer.uuid, now);
      const moved: LeaseEntity = {
        ...current,
        resourceUuid: offer.resourceUuid,
        offerUuid: offer.uuid,
        updatedAt: now,
      };
      await onMoved(em, moved);
      return moved;
    });
  }

  private async beforeLocking(candidates: readonly BookingCandidate[], context: BookingContext): Promise<void> {
    for (const guard of this.guards) await guard.beforeLocking?.(candidates, context);
  }

  private async check(
    em: EntityManager,
    candidates: readonly BookingCandidate[],
    context: BookingContext,
  ): Promise<void> {
    for (const guard of this.guards) await guard.check(em, candidates, context);
  }

  /** Checks the window of a booking whose resource lock the transaction holds. */
  private async reserve(em: EntityManager, booking: Booking): Promise<void> {
    const { start, end, scope, extending } = booking;
    switch (scope.kind) {
      case 'resource':
        return this.conflicts.assertResourceFree(em, booking.resourceType, booking.resourceUuid, start, end, extending);
      case 'offer':
        await this.conflicts.assertFreeInOffer(em, scope.offerUuid, start, end, extending);
        return;
      case 'parent':
        await this.conflicts.assertFreeUnderParent(em, scope.parentUuid, start, end, extending);
        return;
    }
  }

  private async assertChildrenEndBy(em: EntityManager, leaseUuid: string, end: UtcTime): Promise<void> {
    const outlast =
      (await this.leases.childEndsAfter(em, leaseUuid, end, LEASE_OCCUPYING)) ||
      (await this.offers.childEndsAfter(em, leaseUuid, end, OFFER_OCCUPYING));
    if (outlast) throw new LeaseChildrenOutlast({ lease_uuid: leaseUuid, end_time: end });
  }
}

/** The added window `[current end, new end)` of an extension, as the guards see it. */
function extensionCandidate(current: LeaseEntity, newEnd: UtcTime, requester?: BookingRequester): BookingCandidate {
  return {
    kind: 'extension',
    resourceType: current.resourceType,
    resourceUuid: current.resourceUuid,
    start: current.endTime,
    end: newEnd,
    projectId: current.projectId,
    current,
    parentLeaseUuid: current.parentLeaseUuid,
    requester,
  };
}

/** A claimed lease stays inside its offer, a sub-lease inside its parent, others on the resource. */
function leaseScope(lease: { offerUuid: string | null; parentLeaseUuid: string | null }): BookingScope {
  if (lease.offerUuid) return { kind: 'offer', offerUuid: lease.offerUuid };
  if (lease.parentLeaseUuid) return { kind: 'parent', parentUuid: lease.parentLeaseUuid };
  return { kind: 'resource' };
}

function newLeaseRow(fields: NewLeaseFields, now: UtcTime): Omit<LeaseEntity, 'id' | 'updatedAt'> {
  return {
    uuid: randomUUID(),
    name: fields.name,
    projectId: fields.projectId,
    ownerId: fields.ownerId,
    purpose: fields.purpose,
    resourceType: fields.resourceType,
    resourceUuid: fields.resourceUuid,
    startTime: fields.start,
    endTime: fields.end,
    fulfillTime: null,
    expireTime: null,
    status: LeaseStatus.CREATED,
    properties: fields.properties,
    offerUuid: fields.offerUuid,
    parentLeaseUuid: fields.parentLeaseUuid,
    createdAt: now,
  };
}

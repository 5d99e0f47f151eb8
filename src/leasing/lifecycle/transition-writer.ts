import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { inParallel } from '../../common/in-parallel';
import { UtcTime } from '../../common/time';
import { EventRecorder, LeaseEventType } from './event-recorder';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { DriverFailureBackoff } from './driver-failure-backoff';
import type { TransitionOutcome } from './lease-transitions';

/** What a transition that calls the driver writes: its events, the statuses, the back-off. */
export interface DriverTransition {
  /** `start` for every lease, then `end` after a driver call that succeeded, `error` after one that failed. */
  readonly events: { readonly start: LeaseEventType; readonly end: LeaseEventType; readonly error: LeaseEventType };
  /** Statuses the compare-and-set accepts. */
  readonly from: readonly string[];
  /** The changes for the leases whose driver call succeeded. */
  readonly done: { readonly status: string; readonly fulfillTime?: UtcTime; readonly expireTime?: UtcTime };
  /** The status a failed one waits in (`error` once its attempts are used up). */
  readonly waitStatus: string;
}

export const FULFILMENT_EVENTS = {
  start: 'esi_leap.lease.fulfill.start',
  end: 'esi_leap.lease.fulfill.end',
  error: 'esi_leap.lease.fulfill.error',
} as const;

export const DELETION_EVENTS = {
  start: 'esi_leap.lease.delete.start',
  end: 'esi_leap.lease.delete.end',
  error: 'esi_leap.lease.delete.error',
} as const;

/** Runs `call` for each lease, `width` at a time; the failures, by lease. */
export async function driverFailures(
  leases: readonly LeaseEntity[],
  width: number,
  call: (lease: LeaseEntity) => Promise<void>,
): Promise<Map<LeaseEntity, unknown>> {
  const failures = new Map<LeaseEntity, unknown>();
  await inParallel(leases, width, async (lease) => {
    try {
      await call(lease);
    } catch (err) {
      failures.set(lease, err);
    }
  });
  return failures;
}

/**
 * The database half of a transition after its driver calls, for one lease (LeaseTransitions)
 * or a chunk (LeaseFulfiller, LeaseExpirer), inside their transaction: the events of every
 * lease in one INSERT (decisions.md 11), the successful ones' status in one compare-and-set
 * UPDATE with their back-off cleared, and each failed one to its wait status with back-off
 * (decisions.md 10). One log line per lease that changed.
 */
@Injectable()
export class TransitionWriter {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    private readonly events: EventRecorder,
    private readonly leases: LeasesRepository,
    private readonly backoff: DriverFailureBackoff,
  ) {}

  async write(
    em: EntityManager,
    leases: readonly LeaseEntity[],
    failures: ReadonlyMap<LeaseEntity, unknown>,
    now: UtcTime,
    transition: DriverTransition,
  ): Promise<Map<string, TransitionOutcome>> {
    const { events, from, done, waitStatus } = transition;
    const outcomes = new Map<string, TransitionOutcome>();
    const succeeded = leases.filter((lease) => !failures.has(lease));
    await this.events.record(
      em,
      leases.flatMap((lease) => [
        { type: events.start, lease },
        { type: failures.has(lease) ? events.error : events.end, lease },
      ]),
      now,
    );
    await this.leases.transitionMany(
      em,
      succeeded.map((lease) => lease.uuid),
      from,
      done,
      now,
    );
    await this.backoff.succeeded(em, succeeded);
    for (const lease of succeeded) {
      outcomes.set(lease.uuid, 'done');
      this.logger.log(
        JSON.stringify({ event: 'lease.transition', lease: lease.uuid, resource: `${lease.resourceType}/${lease.resourceUuid}`, from: lease.status, to: done.status }),
      );
    }
    for (const [lease, err] of failures) {
      outcomes.set(lease.uuid, await this.backoff.failed(em, lease, waitStatus, from, now, err));
    }
    return outcomes;
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { LeaseStatus } from '../data/statuses';
import { addSeconds, UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { LeasesRepository } from '../data/leases.repository';
import { LeaseRetriesRepository } from '../data/lease-retries.repository';

/** Statuses a driver failure leaves a lease in; only these have a `lease_retries` row. */
const RETRYING: readonly string[] = [
  LeaseStatus.WAIT_FULFILL,
  LeaseStatus.WAIT_EXPIRE,
  LeaseStatus.WAIT_CANCEL,
  LeaseStatus.ERROR,
];

/**
 * What a failed driver call does to a lease (decisions.md 10): its `wait …` status with an
 * exponential back-off, `error` after `[manager] max_attempts`; and the bookkeeping cleared
 * once a transition succeeds. Called inside the transition's transaction, after its events.
 */
@Injectable()
export class DriverFailureBackoff {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly leases: LeasesRepository,
    private readonly retries: LeaseRetriesRepository,
  ) {}

  async failed(
    em: EntityManager,
    lease: LeaseEntity,
    waitStatus: string,
    from: readonly string[],
    now: UtcTime,
    err: unknown,
  ): Promise<'retry' | 'failed'> {
    const { max_attempts: maxAttempts, retry_backoff_base: base, retry_backoff_max: cap } = this.config.manager;
    const attempts = (await this.retries.attempts(em, lease.uuid)) + 1;
    const exhausted = attempts >= maxAttempts;
    const status = exhausted ? LeaseStatus.ERROR : waitStatus;
    await this.leases.transition(em, lease.uuid, from, { status }, now);
    const delay = Math.min(base * 2 ** (attempts - 1), cap);
    await this.retries.recordFailure(em, lease.uuid, attempts, addSeconds(now, delay), String(err));
    this.logger.warn(
      JSON.stringify({
        event: 'lease.driver_failure',
        lease: lease.uuid,
        resource: `${lease.resourceType}/${lease.resourceUuid}`,
        from: lease.status,
        to: status,
        attempt: attempts,
        retry_in_s: exhausted ? null : delay,
        error: String(err),
      }),
    );
    return exhausted ? 'failed' : 'retry';
  }

  /** Only leases that failed before (now waiting or in error) have back-off bookkeeping. */
  async succeeded(em: EntityManager, leases: readonly LeaseEntity[]): Promise<void> {
    await this.retries.clear(
      em,
      leases.filter((l) => RETRYING.includes(l.status)).map((l) => l.uuid),
    );
  }
}

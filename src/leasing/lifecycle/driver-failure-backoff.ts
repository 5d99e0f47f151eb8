import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { addSeconds, UtcTime } from '../../common/time';
import { LeaseEntity } from '../data/lease.entity';
import { LeaseWorkRepository } from '../data/lease-work.repository';
import { LeasesRepository } from '../data/leases.repository';
import { LeaseStatus, LeaseStatusName } from '../data/statuses';

/**
 * What a failed driver call does to a lease (docs/decisions.md, "Manager"): its `wait …`
 * status with an exponential back-off, `error` after `[manager] max_attempts`. Called inside
 * the recording transaction, after the attempt's events.
 */
@Injectable()
export class DriverFailureBackoff {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly leases: LeasesRepository,
    private readonly work: LeaseWorkRepository,
  ) {}

  async failed(
    em: EntityManager,
    lease: LeaseEntity,
    attemptsBefore: number,
    waitStatus: LeaseStatusName,
    from: readonly LeaseStatusName[],
    now: UtcTime,
    err: unknown,
  ): Promise<'retry' | 'failed'> {
    const { max_attempts: maxAttempts, retry_backoff_base: base, retry_backoff_max: cap } = this.config.manager;
    const attempts = attemptsBefore + 1;
    const exhausted = attempts >= maxAttempts;
    const status = exhausted ? LeaseStatus.ERROR : waitStatus;
    await this.leases.transition(em, lease.uuid, from, { status }, now);
    const delay = Math.min(base * 2 ** (attempts - 1), cap);
    await this.work.recordFailure(em, lease.uuid, attempts, addSeconds(now, delay), String(err));
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
}

import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { UtcTime } from '../../common/time';
import { LeaseRetryEntity } from './lease-retry.entity';

/** Attempt counters and back-off deadlines of leases whose driver calls failed. */
@Injectable()
export class LeaseRetriesRepository {
  async attempts(em: EntityManager, leaseUuid: string): Promise<number> {
    const row = await em.getRepository(LeaseRetryEntity).findOneBy({ leaseUuid });
    return row?.attempts ?? 0;
  }

  async recordFailure(
    em: EntityManager,
    leaseUuid: string,
    attempts: number,
    nextAttemptAt: UtcTime,
    error: string,
  ): Promise<void> {
    await em
      .getRepository(LeaseRetryEntity)
      .upsert({ leaseUuid, attempts, nextAttemptAt, lastError: error.slice(0, 255) }, ['leaseUuid']);
  }

  async clear(em: EntityManager, leaseUuids: readonly string[]): Promise<void> {
    if (leaseUuids.length > 0) await em.getRepository(LeaseRetryEntity).delete({ leaseUuid: In([...leaseUuids]) });
  }
}

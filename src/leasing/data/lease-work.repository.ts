import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { UtcTime } from '../../common/time';
import { isMysqlDataSource } from '../../db/dialect';
import { LeaseWorkEntity } from './lease-work.entity';

/**
 * Claims on leases whose driver call is under way, and the attempts and back-off of failed
 * calls (table `lease_retries`). Every write joins the caller's transaction.
 */
@Injectable()
export class LeaseWorkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The rows of `leaseUuids` that exist, by lease. */
  async find(em: EntityManager, leaseUuids: readonly string[]): Promise<Map<string, LeaseWorkEntity>> {
    if (leaseUuids.length === 0) return new Map();
    const rows = await em.getRepository(LeaseWorkEntity).findBy({ leaseUuid: In([...leaseUuids]) });
    return new Map(rows.map((row) => [row.leaseUuid, row]));
  }

  /**
   * The resources among `resources` with a live claim (`claimed_until` after `now`) on any of
   * their leases, as `type/uuid` keys: somebody is calling the driver for that node.
   */
  async resourcesClaimed(
    em: EntityManager,
    resources: readonly { resourceType: string; resourceUuid: string }[],
    now: UtcTime,
  ): Promise<Set<string>> {
    if (resources.length === 0) return new Set();
    const uuids = [...new Set(resources.map((r) => r.resourceUuid))];
    const rows = (await em.query(
      'SELECT DISTINCT l.resource_type AS type, l.resource_uuid AS uuid, r.claimed_by AS holder FROM lease_retries r ' +
        'JOIN leases l ON l.uuid = r.lease_uuid ' +
        `WHERE r.claimed_by IS NOT NULL AND r.claimed_until > ? AND l.resource_uuid IN (${uuids.map(() => '?').join(', ')})`,
      [now, ...uuids],
    )) as { type: string; uuid: string; holder: string }[];
    return new Set(rows.map((row) => `${row.type}/${row.uuid}`));
  }

  /** Marks the leases as being worked on by `holder` until `until`; attempts are kept. */
  async claim(em: EntityManager, leaseUuids: readonly string[], holder: string, until: UtcTime): Promise<void> {
    if (leaseUuids.length === 0) return;
    const onConflict = isMysqlDataSource(em.connection)
      ? 'ON DUPLICATE KEY UPDATE claimed_by = VALUES(claimed_by), claimed_until = VALUES(claimed_until)'
      : 'ON CONFLICT (lease_uuid) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until';
    await em.query(
      `INSERT INTO lease_retries (lease_uuid, attempts, claimed_by, claimed_until) VALUES ${leaseUuids.map(() => '(?, 0, ?, ?)').join(', ')} ${onConflict}`,
      leaseUuids.flatMap((uuid) => [uuid, holder, until]),
    );
  }

  /** Pushes back the end of every claim `holder` still has (a holder renews while its driver calls run). */
  async renew(holders: readonly string[], until: UtcTime): Promise<void> {
    if (holders.length === 0) return;
    await this.dataSource
      .getRepository(LeaseWorkEntity)
      .update({ claimedBy: In([...holders]) }, { claimedUntil: until });
  }

  /**
   * Gives the claims of `holder` on these leases up so that the next manager run takes them
   * at once (`next_attempt_at = now`): a lease whose state changed while its driver call ran.
   */
  async handBack(em: EntityManager, leaseUuids: readonly string[], holder: string, now: UtcTime): Promise<void> {
    if (leaseUuids.length === 0) return;
    await em
      .getRepository(LeaseWorkEntity)
      .update({ leaseUuid: In([...leaseUuids]), claimedBy: holder }, { claimedBy: null, claimedUntil: null, nextAttemptAt: now });
  }

  /** A failed attempt: its count, when to try again, the error; the claim ends. */
  async recordFailure(
    em: EntityManager,
    leaseUuid: string,
    attempts: number,
    nextAttemptAt: UtcTime,
    error: string,
  ): Promise<void> {
    await em.getRepository(LeaseWorkEntity).upsert(
      { leaseUuid, attempts, nextAttemptAt, lastError: error.slice(0, 255), claimedBy: null, claimedUntil: null },
      ['leaseUuid'],
    );
  }

  /** Forgets everything about these leases: their transition succeeded. */
  async clear(em: EntityManager, leaseUuids: readonly string[]): Promise<void> {
    if (leaseUuids.length > 0) await em.getRepository(LeaseWorkEntity).delete({ leaseUuid: In([...leaseUuids]) });
  }
}

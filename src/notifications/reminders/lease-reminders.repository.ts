import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { addSeconds, fromDb, UtcTime } from '../../common/time';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { LeaseStatus, LeaseStatusName } from '../../leasing/data/statuses';
import { LeadTime, ReminderKind } from './lead-times';
import { LeaseReminderEntity } from './lease-reminder.entity';

/** What a reminder kind watches: which time of the lease, in which status. */
export const WATCHED: Readonly<Record<ReminderKind, { column: 'end_time' | 'start_time'; status: LeaseStatusName }>> = {
  end: { column: 'end_time', status: LeaseStatus.ACTIVE },
  start: { column: 'start_time', status: LeaseStatus.CREATED },
};

/** The lease time a reminder kind is about. */
export function watchedTime(lease: LeaseEntity, kind: ReminderKind): UtcTime {
  return kind === 'end' ? lease.endTime : lease.startTime;
}

/**
 * Every SQL question about reminders. A reminder row names the lease time it was for by
 * copying the lease's stored value, and is found again by comparing with it, so the key
 * matches whatever text a lease time was stored in.
 */
@Injectable()
export class LeaseRemindersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Leases in the watched status whose time is within the lead of `now`, not reminded for it yet. */
  dueLeases(lead: LeadTime, now: UtcTime, limit: number): Promise<LeaseEntity[]> {
    const { column, status } = WATCHED[lead.kind];
    return this.dataSource
      .getRepository(LeaseEntity)
      .createQueryBuilder('l')
      .leftJoin(
        LeaseReminderEntity,
        'r',
        `r.lease_uuid = l.uuid AND r.kind = :kind AND r.lead_seconds = :lead AND r.due_for = l.${column}`,
        { kind: lead.kind, lead: lead.seconds },
      )
      .where('l.status = :status', { status })
      .andWhere(`l.${column} > :now AND l.${column} <= :horizon`, { now, horizon: addSeconds(now, lead.seconds) })
      .andWhere('r.id IS NULL')
      .orderBy(`l.${column}`)
      .limit(limit)
      .getMany();
  }

  /** The first moment after `since` at which a lease now in the watched status becomes due for `lead`. */
  async nextRemindAt(lead: LeadTime, since: UtcTime): Promise<UtcTime | null> {
    const { column, status } = WATCHED[lead.kind];
    const row = await this.dataSource
      .getRepository(LeaseEntity)
      .createQueryBuilder('l')
      .select(`MIN(l.${column})`, 't')
      .where('l.status = :status', { status })
      .andWhere(`l.${column} > :after`, { after: addSeconds(since, lead.seconds) })
      .getRawOne<{ t: unknown }>();
    const time = fromDb(row?.t);
    return time === null ? null : addSeconds(time, -lead.seconds);
  }

  /** Whether the lease (as stored now) already has its reminder for `lead`. */
  async exists(em: EntityManager, leaseUuid: string, lead: LeadTime): Promise<boolean> {
    const rows = (await em.query(
      `SELECT r.id FROM lease_reminders r JOIN leases l ON l.uuid = r.lease_uuid AND r.due_for = l.${WATCHED[lead.kind].column} ` +
        'WHERE r.lease_uuid = ? AND r.kind = ? AND r.lead_seconds = ?',
      [leaseUuid, lead.kind, lead.seconds],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * The reminder row for the lease's current time; the unique key refuses a second one, so
   * of two writers only one commits. Returns its id.
   */
  async insert(em: EntityManager, leaseUuid: string, lead: LeadTime, remindAt: UtcTime, now: UtcTime): Promise<number> {
    const column = WATCHED[lead.kind].column;
    await em.query(
      'INSERT INTO lease_reminders (lease_uuid, kind, lead_seconds, due_for, remind_at, created_at, mail_attempts) ' +
        `SELECT uuid, ?, ?, ${column}, ?, ?, 0 FROM leases WHERE uuid = ?`,
      [lead.kind, lead.seconds, remindAt, now, leaseUuid],
    );
    const rows = (await em.query(
      `SELECT r.id FROM lease_reminders r JOIN leases l ON l.uuid = r.lease_uuid AND r.due_for = l.${column} ` +
        'WHERE r.lease_uuid = ? AND r.kind = ? AND r.lead_seconds = ?',
      [leaseUuid, lead.kind, lead.seconds],
    )) as { id: number | string }[];
    if (rows.length !== 1) throw new Error(`reminder of lease ${leaseUuid} not found after its insert`);
    return Number(rows[0].id);
  }

  async linkEvent(em: EntityManager, id: number, eventId: number): Promise<void> {
    await em.getRepository(LeaseReminderEntity).update({ id }, { eventId });
  }

  byEventIds(eventIds: readonly number[]): Promise<LeaseReminderEntity[]> {
    if (eventIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(LeaseReminderEntity).findBy({ eventId: In([...eventIds]) });
  }

  /** Reminders whose mail is still to be sent: not sent, not being sent, and their lease time not passed. */
  pendingMails(now: UtcTime, limit: number): Promise<LeaseReminderEntity[]> {
    return this.dataSource
      .getRepository(LeaseReminderEntity)
      .createQueryBuilder('r')
      .where('r.mailed_at IS NULL AND r.due_for > :now', { now })
      .andWhere('(r.mail_next_at IS NULL OR r.mail_next_at <= :now)', { now })
      .orderBy('r.id')
      .limit(limit)
      .getMany();
  }

  /**
   * Takes the right to send reminder `id`'s mail until `until`: true for one caller at a time.
   * The sender renews it while it sends; one that dies leaves a claim that lapses, and the mail
   * is tried again.
   */
  async claimMail(id: number, holder: string, now: UtcTime, until: UtcTime): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(LeaseReminderEntity)
      .set({ mailNextAt: until, mailClaimedBy: holder, mailAttempts: () => 'mail_attempts + 1' })
      .where('id = :id AND mailed_at IS NULL', { id })
      .andWhere('(mail_next_at IS NULL OR mail_next_at <= :now)', { now })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Keeps `holder`'s claim on reminder `id`'s mail until `until`. */
  async renewMailClaim(id: number, holder: string, until: UtcTime): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(LeaseReminderEntity)
      .set({ mailNextAt: until })
      .where('id = :id AND mailed_at IS NULL AND mail_claimed_by = :holder', { id, holder })
      .execute();
  }

  /** Done with the mail: sent, or given up (`error` says why). */
  async finishMail(id: number, now: UtcTime, error: string | null): Promise<void> {
    await this.dataSource
      .getRepository(LeaseReminderEntity)
      .update(
        { id },
        { mailedAt: now, mailNextAt: null, mailClaimedBy: null, mailError: error?.slice(0, 255) ?? null },
      );
  }

  /** The send failed: try again at `next`. */
  async deferMail(id: number, next: UtcTime, error: string): Promise<void> {
    await this.dataSource
      .getRepository(LeaseReminderEntity)
      .update({ id }, { mailNextAt: next, mailClaimedBy: null, mailError: error.slice(0, 255) });
  }
}

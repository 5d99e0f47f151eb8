import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UtcTime } from '../../common/time';

export type LeaseMailKind = 'created' | 'expiring';

/** The e-mail job's cursor into `events` and its log of mails sent (one per lease and kind). */
@Injectable()
export class LeaseMailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async cursor(): Promise<number> {
    const rows = await this.dataSource.query('SELECT last_event_id FROM lease_mail_cursor WHERE id = 1');
    return rows.length > 0 ? Number(rows[0].last_event_id) : 0;
  }

  async advanceCursor(lastEventId: number): Promise<void> {
    const updated = await this.dataSource
      .createQueryBuilder()
      .update('lease_mail_cursor')
      .set({ last_event_id: lastEventId })
      .where('id = 1 AND last_event_id < :id', { id: lastEventId })
      .execute();
    if ((updated.affected ?? 0) === 0 && (await this.cursor()) === 0) {
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into('lease_mail_cursor')
        .values({ id: 1, last_event_id: lastEventId })
        .orIgnore()
        .execute();
    }
  }

  /**
   * Claims the right to send one mail: true for exactly one caller, even with several managers,
   * because the (lease, kind) primary key lets only one insert through.
   */
  async claim(leaseUuid: string, kind: LeaseMailKind, recipient: string, now: UtcTime): Promise<boolean> {
    try {
      await this.dataSource.query('INSERT INTO lease_mails (lease_uuid, kind, recipient, sent_at) VALUES (?, ?, ?, ?)', [
        leaseUuid,
        kind,
        recipient,
        now,
      ]);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** Gives a claim back when the mail could not be sent, so the next run tries again. */
  async release(leaseUuid: string, kind: LeaseMailKind): Promise<void> {
    await this.dataSource.query('DELETE FROM lease_mails WHERE lease_uuid = ? AND kind = ?', [leaseUuid, kind]);
  }
}

function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (err as { code?: unknown }).code;
  return code === 'ER_DUP_ENTRY' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

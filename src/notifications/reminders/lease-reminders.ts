import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { inParallel } from '../../common/in-parallel';
import { addSeconds, UtcTime } from '../../common/time';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { isMysqlDataSource } from '../../db/dialect';
import { TransactionRunner } from '../../db/transaction-runner';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { LeasesRepository } from '../../leasing/data/leases.repository';
import { EventRecorder, LeaseEventType } from '../../leasing/lifecycle/event-recorder';
import { configuredLeadTimes, formatLeadTime, LeadTime, ReminderKind } from './lead-times';
import { LeaseRemindersRepository, WATCHED, watchedTime } from './lease-reminders.repository';
import { ReminderSignal } from './reminder-signal';

const EVENT_TYPES: Readonly<Record<ReminderKind, LeaseEventType>> = {
  end: 'esi_leap.lease.end_soon',
  start: 'esi_leap.lease.start_soon',
};
/** Leases read per look; a look repeats until nothing new is due. */
const BATCH = 200;
/** Reminders written at once on MySQL (SQLite writes one at a time anyway). */
const MYSQL_LANES = 4;

/**
 * Writes the `esi_leap.lease.end_soon`/`start_soon` events of `[reminders]`: once the lease's
 * end (start) is within a lead time, one event per lease, lead time and end (start) time. Each
 * is written in its own transaction under the lease's resource lock, together with its
 * `lease_reminders` row, whose unique key makes a second writer (another manager) find it
 * done; the lock also orders it with a booking that moves the lease's end, so a reminder is
 * always for the time the lease has when it is written. A lease given a new end is due again.
 */
@Injectable()
export class LeaseReminders {
  private readonly logger = new Logger('esi-leap.reminders');
  private readonly leadTimes: readonly LeadTime[];

  constructor(
    @Inject(ESI_LEAP_CONFIG) config: EsiLeapConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly leases: LeasesRepository,
    private readonly reminders: LeaseRemindersRepository,
    private readonly recorder: EventRecorder,
    private readonly signal: ReminderSignal,
  ) {
    this.leadTimes = configuredLeadTimes(config);
  }

  get enabled(): boolean {
    return this.leadTimes.length > 0;
  }

  /** Writes every reminder due now; returns how many this process wrote. */
  async writeDue(): Promise<number> {
    const lanes = isMysqlDataSource(this.dataSource) ? MYSQL_LANES : 1;
    let written = 0;
    for (const lead of this.leadTimes) {
      const seen = new Set<string>();
      for (;;) {
        const due = (await this.reminders.dueLeases(lead, this.clock.now(), BATCH)).filter((l) => !seen.has(l.uuid));
        if (due.length === 0) break;
        due.forEach((lease) => seen.add(lease.uuid));
        const outcomes = await inParallel(due, lanes, (lease) => this.writeOne(lease, lead));
        written += outcomes.filter(Boolean).length;
      }
    }
    if (written > 0) {
      this.logger.log(JSON.stringify({ event: 'reminders.written', count: written }));
      this.signal.notify();
    }
    return written;
  }

  /** When the next reminder falls due after `since` (for the manager's timer); null when none is coming. */
  async nextDueTime(since: UtcTime): Promise<UtcTime | null> {
    const times = await Promise.all(this.leadTimes.map((lead) => this.reminders.nextRemindAt(lead, since)));
    return times.reduce<UtcTime | null>((first, t) => (t !== null && (first === null || t < first) ? t : first), null);
  }

  /** One reminder; false when it was no longer due or already written. A failure is logged and retried on the next run. */
  private async writeOne(lease: LeaseEntity, lead: LeadTime): Promise<boolean> {
    try {
      return await this.tx.runLocked([lease], (em) => this.writeLocked(em, lease.uuid, lead));
    } catch (err) {
      this.logger.error(
        `reminder ${lead.kind} ${formatLeadTime(lead.seconds)} of lease ${lease.uuid} failed: ${String(err)}`,
      );
      return false;
    }
  }

  private async writeLocked(em: EntityManager, leaseUuid: string, lead: LeadTime): Promise<boolean> {
    const now = this.clock.now();
    const lease = await this.leases.findByUuid(leaseUuid, em);
    if (!lease || lease.status !== WATCHED[lead.kind].status) return false;
    const time = watchedTime(lease, lead.kind);
    const remindAt = addSeconds(time, -lead.seconds);
    if (remindAt > now || time <= now) return false;
    if (await this.reminders.exists(em, leaseUuid, lead)) return false;
    const id = await this.reminders.insert(em, leaseUuid, lead, remindAt, now);
    // No other transaction writes reminders of this resource meanwhile: they all hold its lock.
    const type = EVENT_TYPES[lead.kind];
    const before = await this.lastEventId(em, lease, type);
    await this.recorder.record(em, [{ type, lease }], now);
    const after = await this.lastEventId(em, lease, type);
    // Equal when `[notification] notification_level` keeps INFO events from being written.
    if (after > before) await this.reminders.linkEvent(em, id, after);
    return true;
  }

  /** The newest event of `type` on the lease's resource (the events table is indexed by resource, not by lease). */
  private async lastEventId(em: EntityManager, lease: LeaseEntity, type: LeaseEventType): Promise<number> {
    const [row] = (await em.query(
      'SELECT MAX(id) AS id FROM events WHERE resource_type = ? AND resource_uuid = ? AND event_type = ?',
      [lease.resourceType, lease.resourceUuid, type],
    )) as { id: number | string | null }[];
    return Number(row?.id ?? 0);
  }
}

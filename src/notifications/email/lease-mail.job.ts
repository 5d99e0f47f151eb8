import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { Clock } from '../../common/clock';
import { LEASE_DEFAULT_LIST } from '../../leasing/data/statuses';
import { addDays, addSeconds, toEpochSeconds, toIso, UtcTime } from '../../common/time';
import { EventsRepository } from '../../leasing/data/events.repository';
import { ResourceDecorator } from '../../leasing/views/resource-decorator';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { LeasesRepository } from '../../leasing/data/leases.repository';
import { ProjectDirectory } from '../../projects/project-directory';
import { formatLeadTime } from '../reminders/lead-times';
import { LeaseReminderEntity } from '../reminders/lease-reminder.entity';
import { LeaseRemindersRepository, WATCHED, watchedTime } from '../reminders/lease-reminders.repository';
import { LeaseMailKind, LeaseMailRepository } from './lease-mail.repository';
import { MailTemplateKind, packagedTemplate, readTemplate, renderTemplate } from './mail-template';
import { SmtpMailer } from './smtp-mailer';

export interface MailRunReport {
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
}

type MailOutcome = 'sent' | 'skipped' | 'failed';

/**
 * How long a sender's claim on a reminder mail outlives its last renewal (renewed every third
 * of it while the mail is sent): a sender that died is replaced this soon.
 */
const REMINDER_CLAIM_SECONDS = 6;
/** Reminder mails read per look. */
const REMINDER_BATCH = 100;
/** First delay before a failed reminder mail is tried again; doubles per attempt, up to an hour. */
const REMINDER_RETRY_SECONDS = 30;
const REMINDER_RETRY_MAX_SECONDS = 3600;

/**
 * Upstream's `esi-leap-email-notification` as a job: a "lease started"
 * mail for every `fulfill.end` event after a cursor kept in the database, and one "lease
 * expiring" mail per lease whose end is within `[email] warning_days` — each mail at most once.
 *
 * Also one mail per `[reminders]` reminder (`mailReminders`), from the reminder's own row,
 * which its event was written with: a cursor over event ids could pass a reminder whose
 * transaction commits after a later one's.
 */
@Injectable()
export class LeaseMailJob {
  private readonly logger = new Logger('esi-leap.email');
  /** This process, as the holder of reminder mail claims. */
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`.slice(-64);

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly mails: LeaseMailRepository,
    private readonly events: EventsRepository,
    private readonly leases: LeasesRepository,
    private readonly projects: ProjectDirectory,
    private readonly resources: ResourceDecorator,
    private readonly mailer: SmtpMailer,
    private readonly reminders: LeaseRemindersRepository,
  ) {}

  async runOnce(): Promise<MailRunReport> {
    const counts = { sent: 0, skipped: 0, failed: 0 };
    const tally = (outcome: keyof typeof counts) => (counts[outcome] += 1);

    const started = await this.events.list({ lastEventId: await this.mails.cursor() });
    for (const event of started) {
      if (event.eventType === 'esi_leap.lease.fulfill.end' && event.objectUuid) {
        const lease = await this.leases.findByUuid(event.objectUuid);
        const outcome = lease ? await this.mail(lease, 'created') : 'skipped';
        tally(outcome);
        // The cursor stays before a mail that could not be sent, so the next run tries it again.
        if (outcome === 'failed') break;
      }
      await this.mails.advanceCursor(event.id);
    }

    const now = this.clock.now();
    const horizon = addDays(now, this.config.email.warning_days);
    for (const lease of await this.leases.endingBetween(LEASE_DEFAULT_LIST, now, horizon)) {
      tally(await this.mail(lease, 'expiring'));
    }
    if (counts.sent + counts.failed > 0) this.logger.log(JSON.stringify({ event: 'email.run', ...counts }));
    return counts;
  }

  private async mail(lease: LeaseEntity, kind: LeaseMailKind): Promise<MailOutcome> {
    const recipient = await this.recipientOf(lease.projectId);
    if (!recipient) {
      this.logger.warn(`lease ${lease.uuid}: project ${lease.projectId} has no contact address; no ${kind} mail`);
      return 'skipped';
    }
    if (!(await this.mails.claim(lease.uuid, kind, recipient, this.clock.now()))) return 'skipped';
    try {
      await this.mailer.send(recipient, await this.body(lease, kind));
      return 'sent';
    } catch (err) {
      await this.mails.release(lease.uuid, kind);
      this.logger.error(`lease ${lease.uuid}: ${kind} mail to ${recipient} failed: ${String(err)}`);
      return 'failed';
    }
  }

  private async recipientOf(projectId: string): Promise<string | null> {
    for (const entry of this.config.email.project_contacts) {
      const split = entry.indexOf(':');
      if (entry.slice(0, split) === projectId) return entry.slice(split + 1);
    }
    return this.projects.contactEmail(projectId);
  }

  /**
   * Sends the mail of every reminder not mailed yet whose lease time is still ahead: at least
   * once (a sender that dies before recording the send leaves a claim that lapses, and the mail
   * goes again with the same Message-ID), never by two managers at once.
   */
  async mailReminders(): Promise<MailRunReport> {
    const counts = { sent: 0, skipped: 0, failed: 0 };
    const seen = new Set<number>();
    for (;;) {
      const pending = (await this.reminders.pendingMails(this.clock.now(), REMINDER_BATCH)).filter(
        (r) => !seen.has(r.id),
      );
      if (pending.length === 0) break;
      for (const reminder of pending) {
        seen.add(reminder.id);
        counts[await this.mailReminder(reminder)] += 1;
      }
    }
    if (counts.sent + counts.failed > 0) this.logger.log(JSON.stringify({ event: 'email.reminders', ...counts }));
    return counts;
  }

  private async mailReminder(reminder: LeaseReminderEntity): Promise<MailOutcome> {
    const now = this.clock.now();
    if (!(await this.reminders.claimMail(reminder.id, this.holder, now, addSeconds(now, REMINDER_CLAIM_SECONDS)))) {
      return 'skipped';
    }
    const renewal = setInterval(() => void this.renewClaim(reminder.id), (REMINDER_CLAIM_SECONDS * 1000) / 3).unref();
    try {
      return await this.sendReminder(reminder, now);
    } finally {
      clearInterval(renewal);
    }
  }

  private async renewClaim(id: number): Promise<void> {
    try {
      await this.reminders.renewMailClaim(id, this.holder, addSeconds(this.clock.now(), REMINDER_CLAIM_SECONDS));
    } catch (err) {
      // A lapsed claim costs at most a second mail, sent by the manager that takes it over.
      this.logger.warn(`could not renew the claim on reminder mail ${id}: ${String(err)}`);
    }
  }

  private async sendReminder(reminder: LeaseReminderEntity, now: UtcTime): Promise<MailOutcome> {
    const lease = await this.leases.findByUuid(reminder.leaseUuid);
    const stale = staleReason(reminder, lease);
    if (stale !== null) {
      await this.reminders.finishMail(reminder.id, now, stale);
      return 'skipped';
    }
    const recipient = await this.recipientOf(lease!.projectId);
    if (!recipient) {
      this.logger.warn(`lease ${lease!.uuid}: project ${lease!.projectId} has no contact address; no reminder mail`);
      await this.reminders.finishMail(reminder.id, now, 'no contact address');
      return 'skipped';
    }
    const kind = reminder.kind === 'end' ? 'end_soon' : 'start_soon';
    try {
      const text = await this.body(lease!, kind, { lead_time: formatLeadTime(reminder.leadSeconds) });
      await this.mailer.send(recipient, text, reminderMessageId(reminder));
    } catch (err) {
      const delay = Math.min(REMINDER_RETRY_SECONDS * 2 ** reminder.mailAttempts, REMINDER_RETRY_MAX_SECONDS);
      await this.reminders.deferMail(reminder.id, addSeconds(this.clock.now(), delay), String(err));
      this.logger.error(`lease ${lease!.uuid}: ${kind} mail to ${recipient} failed: ${String(err)}`);
      return 'failed';
    }
    await this.reminders.finishMail(reminder.id, this.clock.now(), null);
    return 'sent';
  }

  private async body(
    lease: LeaseEntity,
    kind: MailTemplateKind,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<string> {
    const configured: Record<MailTemplateKind, string | null> = {
      created: this.config.email.lease_create_template,
      expiring: this.config.email.lease_expire_template,
      end_soon: this.config.email.lease_end_soon_template,
      start_soon: this.config.email.lease_start_soon_template,
    };
    const template = readTemplate(configured[kind], packagedTemplate(kind));
    const resource = await this.resources.single(lease);
    return renderTemplate(template, {
      project: await this.projects.nameOf(lease.projectId),
      lease_uuid: lease.uuid,
      start_time: toIso(lease.startTime),
      end_time: toIso(lease.endTime),
      node_name: String(resource.resource ?? ''),
      node_uuid: lease.resourceUuid,
      ...extra,
    });
  }
}

/** Why a reminder's mail is no longer worth sending: its lease moved on since it was written (the new time gets its own reminder). */
function staleReason(reminder: LeaseReminderEntity, lease: LeaseEntity | null): string | null {
  if (!lease) return 'lease not found';
  const watched = WATCHED[reminder.kind];
  if (lease.status !== watched.status) return `lease no longer ${watched.status}`;
  if (watchedTime(lease, reminder.kind) !== reminder.dueFor) return `lease ${watched.column} changed`;
  return null;
}

/** The same for every send of one reminder, and different for each reminder. */
function reminderMessageId(reminder: LeaseReminderEntity): string {
  return `<reminder.${reminder.kind}.${reminder.leadSeconds}.${toEpochSeconds(reminder.dueFor)}.${reminder.leaseUuid}@esi-leap>`;
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { Clock } from '../../common/clock';
import { LEASE_DEFAULT_LIST } from '../../leasing/data/statuses';
import { addDays, toIso } from '../../common/time';
import { EventsRepository } from '../../leasing/data/events.repository';
import { ResourceDecorator } from '../../leasing/views/resource-decorator';
import { LeaseEntity } from '../../leasing/data/lease.entity';
import { LeasesRepository } from '../../leasing/data/leases.repository';
import { ProjectDirectory } from '../../projects/project-directory';
import { LeaseMailKind, LeaseMailRepository } from './lease-mail.repository';
import { packagedTemplate, readTemplate, renderTemplate } from './mail-template';
import { SmtpMailer } from './smtp-mailer';

export interface MailRunReport {
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
}

/**
 * Upstream's `esi-leap-email-notification` as a job (service.md H, K-28): a "lease started"
 * mail for every `fulfill.end` event after a cursor kept in the database, and one "lease
 * expiring" mail per lease whose end is within `[email] warning_days` — each mail at most once.
 */
@Injectable()
export class LeaseMailJob {
  private readonly logger = new Logger('esi-leap.email');

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly mails: LeaseMailRepository,
    private readonly events: EventsRepository,
    private readonly leases: LeasesRepository,
    private readonly projects: ProjectDirectory,
    private readonly resources: ResourceDecorator,
    private readonly mailer: SmtpMailer,
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

  private async mail(lease: LeaseEntity, kind: LeaseMailKind): Promise<'sent' | 'skipped' | 'failed'> {
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

  private async body(lease: LeaseEntity, kind: LeaseMailKind): Promise<string> {
    const { lease_create_template: created, lease_expire_template: expiring } = this.config.email;
    const template = readTemplate(kind === 'created' ? created : expiring, packagedTemplate(kind));
    const resource = await this.resources.single(lease);
    return renderTemplate(template, {
      project: await this.projects.nameOf(lease.projectId),
      lease_uuid: lease.uuid,
      start_time: toIso(lease.startTime),
      end_time: toIso(lease.endTime),
      node_name: String(resource.resource ?? ''),
      node_uuid: lease.resourceUuid,
    });
  }
}

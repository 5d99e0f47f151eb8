import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RequestContext, requireProject } from '../auth/request-context';
import { Clock } from '../common/clock';
import { ClientError, InvalidWebhookTarget, WebhookLimitReached } from '../common/errors/esi-leap.exceptions';
import { toIso, UtcTime } from '../common/time';
import { TransactionRunner } from '../db/transaction-runner';
import { ListedDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookSecretBox } from './webhook-secrets';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhook-settings';
import { LONGEST_URL, WebhookTargets } from './webhook-targets';
import { WebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

export interface NewWebhookInput {
  readonly url: string;
  readonly event_types: readonly string[];
  readonly secret?: string;
}

/** An event type, a dotted prefix ending in `.*`, or `*`. */
const EVENT_TYPE_PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/;
const MOST_EVENT_TYPES = 32;
const SHORTEST_SECRET = 16;
const DEFAULT_DELIVERY_LIMIT = 100;
const MOST_DELIVERIES_LISTED = 1000;

/** `/v1/webhooks`: registrations per project, under `[webhooks] max_per_project`. */
@Injectable()
export class WebhooksService {
  private readonly box: WebhookSecretBox;

  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly targets: WebhookTargets,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {
    this.box = new WebhookSecretBox(settings.secretKeys);
  }

  /** Registers a webhook for the caller's project; the answer is the only place its secret is shown. */
  async create(ctx: RequestContext, input: NewWebhookInput): Promise<Record<string, unknown>> {
    const projectId = requireProject(ctx);
    const eventTypes = checkedEventTypes(input.event_types);
    if (input.secret !== undefined && input.secret.length < SHORTEST_SECRET) {
      throw new ClientError(
        `Invalid input for field/attribute secret. Value should have at least ${SHORTEST_SECRET} characters`,
      );
    }
    // Resolves the host: a call out, made before any lock is taken.
    const url = (await this.targets.checkNew(input.url)).href;
    if (url.length > LONGEST_URL)
      throw new InvalidWebhookTarget({ url: input.url, reason: `longer than ${LONGEST_URL} characters` });
    const secret = input.secret ?? randomBytes(32).toString('base64url');
    const id = randomUUID();
    const webhook: WebhookEntity = {
      id,
      projectId,
      url,
      eventTypes: JSON.stringify(eventTypes),
      secret: this.box.seal(id, secret),
      createdAt: this.clock.now(),
    };
    // One project's creations take turns, so concurrent ones cannot pass the limit together.
    await this.tx.runLocked([{ resourceType: 'webhooks', resourceUuid: projectKey(projectId) }], async (em) => {
      const count = await this.webhooks.countByProject(em, projectId);
      if (count >= this.settings.maxPerProject) throw new WebhookLimitReached({ project_id: projectId, count });
      await this.webhooks.insert(em, webhook);
    });
    return { ...present(webhook), secret };
  }

  async list(projectId: string | null): Promise<Record<string, unknown>[]> {
    if (projectId === null) return [];
    return (await this.webhooks.listByProject(projectId)).map(present);
  }

  show(webhook: WebhookEntity): Record<string, unknown> {
    return present(webhook);
  }

  async remove(webhook: WebhookEntity): Promise<void> {
    await this.tx.run((em) => this.webhooks.delete(em, webhook.id));
  }

  async listDeliveries(webhook: WebhookEntity, limit: number | undefined): Promise<Record<string, unknown>[]> {
    const wanted = limit ?? DEFAULT_DELIVERY_LIMIT;
    if (wanted < 1 || wanted > MOST_DELIVERIES_LISTED) {
      throw new ClientError(
        `Invalid input for field/attribute limit. Value: '${wanted}'. Must be between 1 and ${MOST_DELIVERIES_LISTED}`,
      );
    }
    return (await this.deliveries.listForWebhook(webhook.id, wanted)).map(presentDelivery);
  }
}

function checkedEventTypes(types: readonly string[]): string[] {
  const unique = [...new Set(types)];
  if (unique.length === 0 || unique.length > MOST_EVENT_TYPES) {
    throw new ClientError(
      `Invalid input for field/attribute event_types. Give between 1 and ${MOST_EVENT_TYPES} event types`,
    );
  }
  const bad = unique.find((t) => !EVENT_TYPE_PATTERN.test(t));
  if (bad !== undefined) {
    throw new ClientError(
      `Invalid input for field/attribute event_types. Value: '${bad}'. Expected an event type such as esi_leap.lease.end_soon, a prefix such as esi_leap.lease.*, or *`,
    );
  }
  return unique;
}

/** A `resource_locks` key for a project (its column holds 36 characters; project ids may be longer). */
function projectKey(projectId: string): string {
  return createHash('sha256').update(projectId).digest('hex').slice(0, 32);
}

function present(w: WebhookEntity): Record<string, unknown> {
  return {
    uuid: w.id,
    project_id: w.projectId,
    url: w.url,
    event_types: JSON.parse(w.eventTypes) as string[],
    created_at: toIso(w.createdAt),
  };
}

function presentDelivery(d: ListedDelivery): Record<string, unknown> {
  const time = (t: UtcTime | null) => (t === null ? null : toIso(t));
  return {
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    created_at: toIso(d.createdAt),
    last_attempt_at: time(d.lastAttemptAt),
    next_attempt_at: d.status === 'pending' ? time(d.nextAttemptAt) : null,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    response_excerpt: d.responseExcerpt,
    finished_at: time(d.finishedAt),
  };
}

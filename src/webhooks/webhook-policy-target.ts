import { Injectable } from '@nestjs/common';
import { HTTPResourceForbidden, WebhookNotFound } from '../common/errors/esi-leap.exceptions';
import {
  PolicyRequest,
  PolicyTargetResolver,
  PolicyTargetSpec,
  ResolvedPolicyTarget,
} from '../policy/policy.decorator';
import { PolicyTarget } from '../policy/policy.service';
import { WebhookEntity } from './webhook.entity';
import { WebhooksRepository } from './webhooks.repository';

function webhookTarget(request: PolicyRequest, projectId: string | null): PolicyTarget {
  return { ...request.esiLeapContext!.creds, 'webhook.project_id': projectId };
}

/** The `{webhook_id}` webhook of a route, for its object rule (target `webhook.project_id`); 404 when unknown. */
@Injectable()
export class WebhookPolicyTarget implements PolicyTargetResolver<WebhookEntity, null> {
  constructor(private readonly webhooks: WebhooksRepository) {}

  async resolve(request: PolicyRequest): Promise<ResolvedPolicyTarget<WebhookEntity>> {
    const id = request.params.webhook_id;
    const webhook = await this.webhooks.findById(id);
    if (!webhook) throw new WebhookNotFound({ webhook_id: id });
    return {
      object: webhook,
      target: webhookTarget(request, webhook.projectId),
      denied: () => new HTTPResourceForbidden({ resource_type: 'webhook', resource: webhook.id }),
    };
  }
}

/** The project whose webhooks a list shows: `?project_id=`, else the caller's own. */
@Injectable()
export class WebhookListPolicyTarget implements PolicyTargetResolver<string | null, null> {
  resolve(request: PolicyRequest): Promise<ResolvedPolicyTarget<string | null>> {
    const asked = request.query.project_id;
    const projectId =
      typeof asked === 'string' && asked !== '' ? asked : (request.esiLeapContext!.creds.project_id ?? null);
    return Promise.resolve({
      object: projectId,
      target: webhookTarget(request, projectId),
      denied: () => new HTTPResourceForbidden({ resource_type: 'project', resource: projectId }),
    });
  }
}

export const webhookById: PolicyTargetSpec<WebhookEntity, null> = { resolver: WebhookPolicyTarget, options: null };
export const webhookList: PolicyTargetSpec<string | null, null> = { resolver: WebhookListPolicyTarget, options: null };

import { Module } from '@nestjs/common';
import { WebhookListPolicyTarget, WebhookPolicyTarget } from './webhook-policy-target';
import { WebhooksController } from './webhooks.controller';
import { WebhooksCoreModule } from './webhooks-core.module';
import { WebhooksService } from './webhooks.service';

/** `/v1/webhooks`, in the API role while `[webhooks] enabled` (otherwise the routes do not exist, as upstream). */
@Module({
  imports: [WebhooksCoreModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookPolicyTarget, WebhookListPolicyTarget],
})
export class WebhooksApiModule {}

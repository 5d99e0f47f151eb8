import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { JSON_NULL } from '../common/http/json-response';
import { parseQuery } from '../common/http/query-params';
import { validateBody } from '../common/http/request-body';
import { ApiFaults, ApiJsonBody, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { listOf } from '../ops/openapi/api-schemas';
import { Policy, PolicyObject } from '../policy/policy.decorator';
import {
  CREATED_WEBHOOK_SCHEMA,
  NEW_WEBHOOK_SCHEMA,
  WEBHOOK_DELIVERY_SCHEMA,
  WEBHOOK_SCHEMA,
} from './webhook-api-schemas';
import { DELIVERY_LIST_PARAMS, WEBHOOK_ATTRIBUTES, WEBHOOK_LIST_PARAMS } from './webhook-body';
import { webhookById, webhookList } from './webhook-policy-target';
import { WebhookEntity } from './webhook.entity';
import { NewWebhookInput, WebhooksService } from './webhooks.service';

/** Tenant webhooks (docs/lease-lifecycle.md, "Webhooks"); only routed while `[webhooks] enabled`. */
@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:webhook:create')
  @ApiOperation({ summary: "Register a webhook for the caller's project" })
  @ApiJsonBody(NEW_WEBHOOK_SCHEMA)
  @ApiJsonResponse(201, 'The new webhook, with its signing secret (shown only here)', CREATED_WEBHOOK_SCHEMA)
  @ApiFaults()
  create(@Ctx() ctx: RequestContext, @Body() body: unknown, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.webhooks.create(ctx, validateBody(body, 'webhook', WEBHOOK_ATTRIBUTES) as unknown as NewWebhookInput);
  }

  @Get()
  @Policy('esi_leap:webhook:get', webhookList)
  @ApiOperation({ summary: "List the caller's project's webhooks (admins: any project's, with project_id)" })
  @ApiQueryParams(WEBHOOK_LIST_PARAMS)
  @ApiJsonResponse(200, 'The webhooks', listOf('webhooks', WEBHOOK_SCHEMA))
  @ApiFaults()
  async list(@PolicyObject() projectId: string | null, @Query() query: Record<string, unknown>) {
    parseQuery(query, WEBHOOK_LIST_PARAMS);
    return { webhooks: await this.webhooks.list(projectId) };
  }

  @Get(':webhook_id')
  @Policy('esi_leap:webhook:get', webhookById)
  @ApiOperation({ summary: 'Show a webhook' })
  @ApiJsonResponse(200, 'The webhook', WEBHOOK_SCHEMA)
  @ApiFaults(404)
  show(@PolicyObject() webhook: WebhookEntity, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.webhooks.show(webhook);
  }

  @Get(':webhook_id/deliveries')
  @Policy('esi_leap:webhook:get', webhookById)
  @ApiOperation({ summary: "A webhook's deliveries, newest event first: attempts, last answer and error" })
  @ApiQueryParams(DELIVERY_LIST_PARAMS)
  @ApiJsonResponse(200, 'The deliveries', listOf('deliveries', WEBHOOK_DELIVERY_SCHEMA))
  @ApiFaults(404)
  async deliveries(@PolicyObject() webhook: WebhookEntity, @Query() query: Record<string, unknown>) {
    const { limit } = parseQuery(query, DELIVERY_LIST_PARAMS);
    return { deliveries: await this.webhooks.listDeliveries(webhook, limit) };
  }

  @Delete(':webhook_id')
  @Policy('esi_leap:webhook:delete', webhookById)
  @ApiOperation({ summary: 'Delete a webhook and its deliveries' })
  @ApiJsonResponse(200, 'Deleted; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404)
  async remove(@PolicyObject() webhook: WebhookEntity, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.webhooks.remove(webhook);
    return JSON_NULL;
  }
}

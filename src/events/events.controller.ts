import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { EVENT_SCHEMA, listOf } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { parseQuery } from '../common/http/query-params';
import { NoPolicyRule } from '../policy/policy.decorator';
import { EventsService } from './events.service';

const EVENT_LIST_PARAMS = {
  last_event_id: 'int',
  lessee_or_owner_id: 'string',
  last_event_time: 'datetime',
  event_type: 'string',
  resource_type: 'string',
  resource_uuid: 'string',
} as const;

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @NoPolicyRule(
    "upstream registers esi_leap:event:get_all but never checks it; non-admins see only their project's events",
  )
  @ApiOperation({ summary: 'List lease events after a cursor, in id order' })
  @ApiQueryParams(EVENT_LIST_PARAMS)
  @ApiJsonResponse(200, 'Events in id order', listOf('events', EVENT_SCHEMA))
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return { events: await this.events.list(ctx, parseQuery(query, EVENT_LIST_PARAMS)) };
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { EVENT_SCHEMA, listOf } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { parseQuery } from '../common/http/query-params';
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
  @ApiOperation({ summary: 'List lease events after a cursor (api.md 3.5)' })
  @ApiQueryParams(EVENT_LIST_PARAMS)
  @ApiJsonResponse(200, 'Events in id order', listOf('events', EVENT_SCHEMA))
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return { events: await this.events.list(ctx, parseQuery(query, EVENT_LIST_PARAMS)) };
  }
}

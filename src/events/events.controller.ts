import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { EVENT_SCHEMA, pagedListOf } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { PAGING_PARAMS, pagedList, pageRequest } from '../common/http/list-paging';
import { parseQuery } from '../common/http/query-params';
import { InjectConfig } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { NoPolicyRule } from '../policy/policy.decorator';
import { EventsService } from './events.service';

const EVENT_LIST_PARAMS = {
  last_event_id: 'int',
  lessee_or_owner_id: 'string',
  last_event_time: 'datetime',
  event_type: 'string',
  resource_type: 'string',
  resource_uuid: 'string',
  ...PAGING_PARAMS,
} as const;

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    @InjectConfig() private readonly config: EsiLeapConfig,
  ) {}

  @Get()
  @NoPolicyRule(
    "upstream registers esi_leap:event:get_all but never checks it; non-admins see only their project's events",
  )
  @ApiOperation({ summary: 'List lease events after a cursor, in id order' })
  @ApiQueryParams(EVENT_LIST_PARAMS)
  @ApiJsonResponse(
    200,
    'Events in id order',
    pagedListOf('events', EVENT_SCHEMA, 'http://esi-leap:7777/v1/events?limit=100&marker=1234'),
  )
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    const parsed = parseQuery(query, EVENT_LIST_PARAMS);
    const page = pageRequest(parsed, this.config.api.max_limit);
    const events = await this.events.list(ctx, parsed, page);
    // Unpaged, the list is the plain object it always was.
    if (page === undefined) return { events };
    return pagedList('events', [events], page, (event: Record<string, unknown>) => String(event.id));
  }
}

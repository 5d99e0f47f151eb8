import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { ApiConstraintQuery, ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { Policy } from '../policy/policy.decorator';
import { parseTimelineQuery, TIMELINE_PARAMS } from './timeline-query';
import { TIMELINE_SCHEMA } from './timeline.schema';
import { TimelineService } from './timeline.service';

@ApiTags('timeline')
@Controller('v1/timeline')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get()
  @Policy('esi_leap:timeline:get')
  @ApiOperation({
    summary: 'Nodes with their offers and leases over a time window',
    description:
      'One row per node of the default resource type the caller may list. Leases the caller may not read ' +
      '(esi_leap:lease:get) appear only as anonymous busy windows. Without start_time and end_time: from a day ' +
      'ago to six days ahead; a window is at most 366 days.',
  })
  @ApiQueryParams(TIMELINE_PARAMS)
  @ApiConstraintQuery()
  @ApiJsonResponse(200, 'The rows of the timeline', TIMELINE_SCHEMA)
  @ApiFaults()
  async get(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return this.timeline.timeline(ctx, parseTimelineQuery(query));
  }
}

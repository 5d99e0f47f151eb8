import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { ApiConstraintQuery, ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { Policy } from '../policy/policy.decorator';
import { parseAvailabilityQuery } from './availability-query';
import { AVAILABILITY_SCHEMA } from './availability.schema';
import { AvailabilityService } from './availability.service';

@ApiTags('availability')
@Controller('v1/availability')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get()
  @Policy('esi_leap:availability:get')
  @ApiOperation({
    summary: 'When are N matching nodes free at once for a duration?',
    description:
      'The earliest windows (up to limit, default 5, at most 50) in which count (default 1) nodes of the default ' +
      'resource type matching resource_class and every constraint are free at once for duration (whole seconds or ' +
      'ISO 8601 such as PT4H, P3D), inside [not_before (default and at the earliest: now), not_after (default: 30 ' +
      'days later; at most 366)]. source=offers (the default): from offers the caller may claim; source=owned: ' +
      'nodes its project owns, booked directly (an admin: every node). Free means bookable: no lease or offer in the ' +
      'way, the cleaning time kept, the node healthy. See docs/availability.md.',
  })
  @ApiQueryParams({
    count: 'int',
    resource_class: 'string',
    not_before: 'datetime',
    not_after: 'datetime',
    limit: 'int',
  })
  @ApiQuery({ name: 'duration', required: true, schema: { type: 'string', example: 'P3D' } })
  @ApiQuery({
    name: 'source',
    required: false,
    schema: { type: 'string', enum: ['offers', 'owned'], default: 'offers' },
  })
  @ApiConstraintQuery()
  @ApiJsonResponse(200, 'The earliest windows, earliest first', AVAILABILITY_SCHEMA)
  @ApiFaults()
  async get(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return this.availability.search(ctx, parseAvailabilityQuery(query));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { JSON_NULL } from '../common/http/json-response';
import { pagedList, pageRequest } from '../common/http/list-paging';
import { parseQuery } from '../common/http/query-params';
import { parseBody } from '../common/http/request-body';
import { InjectConfig } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { LeaseGroupStatus } from '../leasing/data/lease-group.entity';
import type { LeaseGroupView } from './lease-group.presenter';
import { ApiFaults, ApiJsonBody, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { pagedListOf } from '../ops/openapi/api-schemas';
import { Policy, PolicyObject, PolicyRequest } from '../policy/policy.decorator';
import { LEASE_GROUP_ATTRIBUTES, LEASE_GROUP_LIST_PARAMS } from './dto/lease-group-body';
import {
  INSUFFICIENT_CAPACITY_SCHEMA,
  LEASE_GROUP_PATCH_SCHEMA,
  LEASE_GROUP_PLAN_SCHEMA,
  LEASE_GROUP_SCHEMA,
  NEW_LEASE_GROUP_SCHEMA,
} from './lease-group-api-schemas';
import {
  leaseGroupList,
  LeaseGroupToUpdate,
  leaseGroupTarget,
  leaseGroupUpdateTarget,
  LeaseGroupWithMembers,
} from './lease-group-policy-target';
import { LeaseGroupsService } from './lease-groups.service';

/** `view=all` lists every project's groups, which only lease admins may (as for leases). */
const listRule = (request: PolicyRequest) =>
  request.query.view === 'all' ? 'esi_leap:lease:lease_admin' : 'esi_leap:lease_group:get';

@ApiTags('lease groups')
@Controller('v1/lease_groups')
export class LeaseGroupsController {
  constructor(
    private readonly groups: LeaseGroupsService,
    @InjectConfig() private readonly config: EsiLeapConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:lease_group:create')
  @ApiOperation({
    summary:
      'Book N leases for one window, all or none: from offers the caller may claim, or (`from: owned`) on ' +
      "resources the caller's project owns; `dry_run` answers which resources it would take (200)",
  })
  @ApiJsonBody(NEW_LEASE_GROUP_SCHEMA)
  @ApiJsonResponse(201, 'The new group and its leases', LEASE_GROUP_SCHEMA)
  @ApiJsonResponse(200, 'A dry run: the resources a booking would take now; nothing booked', LEASE_GROUP_PLAN_SCHEMA)
  @ApiJsonResponse(
    409,
    'Fewer resources free than asked for (with the facts under `capacity`), or lost to concurrent bookings',
    INSUFFICIENT_CAPACITY_SCHEMA,
  )
  @ApiFaults()
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    parseQuery(query, {});
    const input = parseBody(body, 'new_lease_group', LEASE_GROUP_ATTRIBUTES);
    const answer = await this.groups.create(ctx, input);
    if (input.dry_run) res.status(200);
    return answer;
  }

  @Get()
  @Policy(listRule, leaseGroupList)
  @ApiOperation({
    summary: "List the caller's project's lease groups (`status`: exact; `view=all`: every project's, admins)",
  })
  @ApiQueryParams(LEASE_GROUP_LIST_PARAMS)
  @ApiJsonResponse(
    200,
    'The groups',
    pagedListOf(
      'lease_groups',
      LEASE_GROUP_SCHEMA,
      `http://esi-leap:7777/v1/lease_groups?limit=20&marker=${LEASE_GROUP_SCHEMA.example.uuid}`,
    ),
  )
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    const parsed = parseQuery(query, LEASE_GROUP_LIST_PARAMS);
    const page = pageRequest(parsed, this.config.api.max_limit);
    const groups = await this.groups.list(ctx, parsed, page);
    return pagedList<LeaseGroupView>('lease_groups', [groups], page, (group) => String(group.uuid));
  }

  @Get(':uuid')
  @Policy('esi_leap:lease_group:get', leaseGroupTarget({ statuses: null }))
  @ApiOperation({ summary: 'Show a lease group and its leases' })
  @ApiJsonResponse(200, 'The group', LEASE_GROUP_SCHEMA)
  @ApiFaults(404)
  show(@PolicyObject() found: LeaseGroupWithMembers, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.groups.show(found);
  }

  /** `lease:extend` lets the group's project extend it within the limits, where the limits file allows it. */
  @Patch(':uuid')
  @Policy('esi_leap:lease_group:update', leaseGroupUpdateTarget())
  @ApiOperation({
    summary:
      'Change the end_time of every lease of the group, all or none; with lease:extend only (self-service), ' +
      'only a later one within the limits',
  })
  @ApiJsonBody(LEASE_GROUP_PATCH_SCHEMA)
  @ApiJsonResponse(200, 'The updated group', LEASE_GROUP_SCHEMA)
  @ApiFaults(404, 409)
  update(
    @Ctx() ctx: RequestContext,
    @PolicyObject() target: LeaseGroupToUpdate,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ) {
    parseQuery(query, {});
    return this.groups.updateEndTime(ctx, target, body);
  }

  @Delete(':uuid')
  @Policy('esi_leap:lease_group:delete', leaseGroupTarget({ statuses: [LeaseGroupStatus.ACTIVE] }))
  @ApiOperation({ summary: 'Cancel every lease of the group (and what is booked inside them), as a lease DELETE does' })
  @ApiJsonResponse(200, 'Cancelled; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404)
  async cancel(@PolicyObject() found: LeaseGroupWithMembers, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.groups.cancel(found);
    return JSON_NULL;
  }
}

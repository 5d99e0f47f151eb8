import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { JSON_NULL } from '../common/http/json-response';
import { pagedList, pageRequest } from '../common/http/list-paging';
import { parseQuery } from '../common/http/query-params';
import { InjectConfig } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { parseBody } from '../common/http/request-body';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { LEASE_CAN_DELETE } from '../leasing/data/statuses';
import { ApiFaults, ApiJsonBody, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { LEASE_PATCH_SCHEMA, LEASE_SCHEMA, NEW_LEASE_SCHEMA, pagedListOf } from '../ops/openapi/api-schemas';
import { LeaseToUpdate, leaseUpdateTarget } from '../lease-policy/self-service/lease-update-target';
import { Policy, PolicyObject, PolicyRequest } from '../policy/policy.decorator';
import { LEASE_ATTRIBUTES, LEASE_LIST_PARAMS } from './dto/lease-body';
import { LeaseListService } from './lease-list.service';
import { leaseTarget } from './lease-policy-target';
import { LeasesService } from './leases.service';

/** `view=all` lists every project's leases, which only lease admins may. */
const listRule = (request: PolicyRequest) =>
  request.query.view === 'all' ? 'esi_leap:lease:lease_admin' : 'esi_leap:lease:get_all';

@ApiTags('leases')
@Controller('v1/leases')
export class LeasesController {
  constructor(
    private readonly listing: LeaseListService,
    private readonly leases: LeasesService,
    @InjectConfig() private readonly config: EsiLeapConfig,
  ) {}

  @Get()
  @Policy(listRule)
  @ApiOperation({ summary: "List leases the caller's project holds or owns; `view=all` needs the lease admin rule" })
  @ApiQueryParams(LEASE_LIST_PARAMS)
  @ApiJsonResponse(
    200,
    'The leases the caller may see',
    pagedListOf('leases', LEASE_SCHEMA, `http://esi-leap:7777/v1/leases?limit=100&marker=${LEASE_SCHEMA.example.uuid}`),
  )
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    const parsed = parseQuery(query, LEASE_LIST_PARAMS);
    const page = pageRequest(parsed, this.config.api.max_limit);
    return pagedList('leases', await this.listing.list(ctx, parsed, page), page, (row) => String(row.uuid));
  }

  @Get(':ident')
  @Policy('esi_leap:lease:get', leaseTarget({ statuses: null }))
  @ApiOperation({ summary: 'Show a lease by UUID or name' })
  @ApiJsonResponse(200, 'The lease', LEASE_SCHEMA)
  @ApiFaults(404)
  show(@PolicyObject() lease: LeaseEntity, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.listing.show(lease);
  }

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:lease:create')
  @ApiOperation({ summary: "Create a lease on a node the caller's project owns, or a sub-lease inside its own lease" })
  @ApiJsonBody(NEW_LEASE_SCHEMA)
  @ApiJsonResponse(201, 'The new lease', LEASE_SCHEMA)
  @ApiFaults(404, 409)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.leases.create(ctx, parseBody(body, 'new_lease', LEASE_ATTRIBUTES));
  }

  /** `lease:extend` lets a lessee extend its lease within the limits, where the limits file allows it. */
  @Patch(':ident')
  @Policy('esi_leap:lease:update', leaseUpdateTarget())
  @ApiOperation({
    summary:
      'Change the end_time of a lease; with lease:extend only (self-service), only a later one within the limits',
  })
  @ApiJsonBody(LEASE_PATCH_SCHEMA)
  @ApiJsonResponse(200, 'The updated lease', LEASE_SCHEMA)
  @ApiFaults(404, 409)
  update(
    @Ctx() ctx: RequestContext,
    @PolicyObject() target: LeaseToUpdate,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ) {
    parseQuery(query, {});
    return this.leases.updateEndTime(ctx, target, body);
  }

  /** Upstream guards DELETE with `esi_leap:lease:get`, not `lease:delete`: kept for existing policy files. */
  @Delete(':ident')
  @Policy('esi_leap:lease:get', leaseTarget({ statuses: LEASE_CAN_DELETE }))
  @ApiOperation({ summary: 'Cancel a lease and its sub-leases' })
  @ApiJsonResponse(200, 'Cancelled; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404, 409)
  async cancel(@PolicyObject() lease: LeaseEntity, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.leases.cancel(lease);
    return JSON_NULL;
  }
}

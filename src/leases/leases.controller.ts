import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonBody, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { LEASE_PATCH_SCHEMA, LEASE_SCHEMA, listOf, NEW_LEASE_SCHEMA } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { JSON_NULL, PagedJsonList } from '../common/http/json-response';
import { parseQuery } from '../common/http/query-params';
import { validateBody } from '../common/http/request-body';
import { Policy } from '../policy/policy.decorator';
import { LEASE_ATTRIBUTES, LEASE_LIST_PARAMS } from './dto/lease-body';
import { LeasesService, NewLeaseInput } from './leases.service';

@ApiTags('leases')
@Controller('v1/leases')
export class LeasesController {
  constructor(private readonly leases: LeasesService) {}

  @Get()
  @ApiOperation({ summary: 'List leases (api.md 3.3.1); `view=all` needs the lease admin rule' })
  @ApiQueryParams(LEASE_LIST_PARAMS)
  @ApiJsonResponse(200, 'The leases the caller may see', listOf('leases', LEASE_SCHEMA))
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return new PagedJsonList('leases', await this.leases.list(ctx, parseQuery(query, LEASE_LIST_PARAMS)));
  }

  @Get(':ident')
  @ApiOperation({ summary: 'Show a lease by UUID or name (api.md 3.3.2)' })
  @ApiJsonResponse(200, 'The lease', LEASE_SCHEMA)
  @ApiFaults(404)
  show(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.leases.show(ctx, ident);
  }

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:lease:create')
  @ApiOperation({ summary: 'Create a lease directly on a resource (api.md 3.3.3)' })
  @ApiJsonBody(NEW_LEASE_SCHEMA)
  @ApiJsonResponse(201, 'The new lease', LEASE_SCHEMA)
  @ApiFaults(404, 409)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.leases.create(ctx, validateBody(body, 'new_lease', LEASE_ATTRIBUTES) as unknown as NewLeaseInput);
  }

  @Patch(':ident')
  @ApiOperation({ summary: 'Change the end_time of a lease (api.md 3.3.4)' })
  @ApiJsonBody(LEASE_PATCH_SCHEMA)
  @ApiJsonResponse(200, 'The updated lease', LEASE_SCHEMA)
  @ApiFaults(404, 409)
  update(
    @Ctx() ctx: RequestContext,
    @Param('ident') ident: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ) {
    parseQuery(query, {});
    return this.leases.updateEndTime(ctx, ident, body);
  }

  @Delete(':ident')
  @ApiOperation({ summary: 'Cancel a lease and its sub-leases (api.md 3.3.5)' })
  @ApiJsonResponse(200, 'Cancelled; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404, 409)
  async cancel(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.leases.cancel(ctx, ident);
    return JSON_NULL;
  }
}

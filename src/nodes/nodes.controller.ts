import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { NODE_SCHEMA, pagedListOf } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { PAGING_PARAMS, pagedList, pageRequest } from '../common/http/list-paging';
import { parseQuery } from '../common/http/query-params';
import { InjectConfig } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { NoPolicyRule } from '../policy/policy.decorator';
import { NodesService } from './nodes.service';

const NODE_LIST_PARAMS = {
  resource_class: 'string',
  owner: 'string',
  lessee: 'string',
  constraint: 'strings',
  ...PAGING_PARAMS,
} as const;

@ApiTags('nodes')
@Controller('v1/nodes')
export class NodesController {
  constructor(
    private readonly nodes: NodesService,
    @InjectConfig() private readonly config: EsiLeapConfig,
  ) {}

  @Get()
  @NoPolicyRule('upstream checks no rule: the driver lists the nodes the caller may see')
  @ApiOperation({ summary: 'List nodes with their offers and leases' })
  @ApiQueryParams(NODE_LIST_PARAMS)
  @ApiJsonResponse(
    200,
    'The nodes of the default resource type',
    pagedListOf('nodes', NODE_SCHEMA, `http://esi-leap:7777/v1/nodes?limit=100&marker=${NODE_SCHEMA.example.uuid}`),
  )
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    const parsed = parseQuery(query, NODE_LIST_PARAMS);
    const page = pageRequest(parsed, this.config.api.max_limit);
    return pagedList('nodes', await this.nodes.list(ctx, parsed, page), page, (row) => String(row.uuid));
  }
}

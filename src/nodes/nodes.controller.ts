import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { listOf, NODE_SCHEMA } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { PagedJsonList } from '../common/http/json-response';
import { parseQuery } from '../common/http/query-params';
import { NoPolicyRule } from '../policy/policy.decorator';
import { NodesService } from './nodes.service';

const NODE_LIST_PARAMS = { resource_class: 'string', owner: 'string', lessee: 'string' } as const;

@ApiTags('nodes')
@Controller('v1/nodes')
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @Get()
  @NoPolicyRule('upstream checks no rule: the driver lists the nodes the caller may see')
  @ApiOperation({ summary: 'List nodes with their offers and leases' })
  @ApiQueryParams(NODE_LIST_PARAMS)
  @ApiJsonResponse(200, 'The nodes of the default resource type', listOf('nodes', NODE_SCHEMA))
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return new PagedJsonList('nodes', await this.nodes.list(ctx, parseQuery(query, NODE_LIST_PARAMS)));
  }
}

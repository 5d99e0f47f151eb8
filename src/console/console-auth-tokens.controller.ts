import { Body, Controller, Delete, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonBody, ApiJsonResponse } from '../ops/openapi/api-docs.decorators';
import { CONSOLE_TOKEN_SCHEMA, NEW_CONSOLE_TOKEN_SCHEMA } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { parseQuery } from '../common/http/query-params';
import { ConsoleAuthTokensService, ConsoleTokenView } from './console-auth-tokens.service';
import { parseNewConsoleToken } from './dto/console-token-body';
import { JSON_NULL } from '../common/http/json-response';
import { NoPolicyRule } from '../policy/policy.decorator';

/** No esi-leap policy rule guards these routes: whether the caller's project owns or leases the node decides. */
@ApiTags('console_auth_tokens')
@NoPolicyRule('upstream checks no rule: node ownership or lease decides')
@Controller('v1/console_auth_tokens')
export class ConsoleAuthTokensController {
  constructor(private readonly tokens: ConsoleAuthTokensService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Create a single-use token for a node's serial console" })
  @ApiJsonBody(NEW_CONSOLE_TOKEN_SCHEMA)
  @ApiJsonResponse(201, 'The token and the URL to open', CONSOLE_TOKEN_SCHEMA)
  @ApiFaults(404)
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ): Promise<ConsoleTokenView> {
    parseQuery(query, {});
    return this.tokens.create(ctx, parseNewConsoleToken(body));
  }

  @Delete(':ident')
  @ApiOperation({ summary: 'Revoke all console tokens of a node' })
  @ApiJsonResponse(200, 'Revoked; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404)
  async delete(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.tokens.deleteForNode(ctx, ident);
    return JSON_NULL;
  }
}

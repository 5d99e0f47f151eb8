import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonBody, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { CLAIM_SCHEMA, LEASE_SCHEMA, listOf, NEW_OFFER_SCHEMA, OFFER_SCHEMA } from '../ops/openapi/api-schemas';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { JSON_NULL, PagedJsonList } from '../common/http/json-response';
import { parseQuery } from '../common/http/query-params';
import { validateBody } from '../common/http/request-body';
import { CLAIM_ATTRIBUTES } from '../leases/dto/lease-body';
import { Policy } from '../policy/policy.decorator';
import { OFFER_ATTRIBUTES, OFFER_LIST_PARAMS } from './dto/offer-body';
import { ClaimInput, NewOfferInput, OffersService } from './offers.service';

@ApiTags('offers')
@Controller('v1/offers')
export class OffersController {
  constructor(private readonly offers: OffersService) {}

  @Get()
  @Policy('esi_leap:offer:get_all')
  @ApiOperation({ summary: 'List offers (api.md 3.2.1)' })
  @ApiQueryParams(OFFER_LIST_PARAMS)
  @ApiJsonResponse(200, 'The offers the caller may see', listOf('offers', OFFER_SCHEMA))
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return new PagedJsonList('offers', await this.offers.list(ctx, parseQuery(query, OFFER_LIST_PARAMS)));
  }

  @Get(':ident')
  @ApiOperation({ summary: 'Show an offer by UUID or name (api.md 3.2.2)' })
  @ApiJsonResponse(200, 'The offer', OFFER_SCHEMA)
  @ApiFaults(404)
  show(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.offers.show(ctx, ident);
  }

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:offer:create')
  @ApiOperation({ summary: 'Create an offer (api.md 3.2.3)' })
  @ApiJsonBody(NEW_OFFER_SCHEMA)
  @ApiJsonResponse(201, 'The new offer', OFFER_SCHEMA)
  @ApiFaults(404, 409)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.offers.create(ctx, validateBody(body, 'new_offer', OFFER_ATTRIBUTES) as unknown as NewOfferInput);
  }

  @Delete(':ident')
  @ApiOperation({ summary: 'Cancel an offer and its leases (api.md 3.2.4)' })
  @ApiJsonResponse(200, 'Cancelled; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404, 409)
  async delete(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.offers.delete(ctx, ident);
    return JSON_NULL;
  }

  @Post(':ident/claim')
  @HttpCode(201)
  @ApiOperation({ summary: 'Claim an offer: create a lease from it (api.md 3.2.5)' })
  @ApiJsonBody(CLAIM_SCHEMA)
  @ApiJsonResponse(201, 'The new lease', LEASE_SCHEMA)
  @ApiFaults(404, 409)
  claim(
    @Ctx() ctx: RequestContext,
    @Param('ident') ident: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ) {
    parseQuery(query, {});
    return this.offers.claim(ctx, ident, validateBody(body, 'new_lease', CLAIM_ATTRIBUTES) as ClaimInput);
  }
}

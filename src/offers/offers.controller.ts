import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
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
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    return { offers: await this.offers.list(ctx, parseQuery(query, OFFER_LIST_PARAMS)) };
  }

  @Get(':ident')
  @ApiOperation({ summary: 'Show an offer by UUID or name (api.md 3.2.2)' })
  show(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.offers.show(ctx, ident);
  }

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:offer:create')
  @ApiOperation({ summary: 'Create an offer (api.md 3.2.3)' })
  create(@Ctx() ctx: RequestContext, @Body() body: unknown, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.offers.create(ctx, validateBody(body, 'new_offer', OFFER_ATTRIBUTES) as unknown as NewOfferInput);
  }

  @Delete(':ident')
  @ApiOperation({ summary: 'Cancel an offer and its leases (api.md 3.2.4)' })
  async delete(@Ctx() ctx: RequestContext, @Param('ident') ident: string, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.offers.delete(ctx, ident);
    return null;
  }

  @Post(':ident/claim')
  @HttpCode(201)
  @ApiOperation({ summary: 'Claim an offer: create a lease from it (api.md 3.2.5)' })
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

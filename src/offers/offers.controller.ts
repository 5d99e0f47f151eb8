import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/request-context.decorator';
import { RequestContext } from '../auth/request-context';
import { JSON_NULL } from '../common/http/json-response';
import { pagedList, pageRequest } from '../common/http/list-paging';
import { parseQuery } from '../common/http/query-params';
import { InjectConfig } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { parseBody } from '../common/http/request-body';
import { OFFER_CAN_DELETE, OfferStatus } from '../leasing/data/statuses';
import { CLAIM_ATTRIBUTES } from '../leases/dto/lease-body';
import { ApiFaults, ApiJsonBody, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { CLAIM_SCHEMA, LEASE_SCHEMA, NEW_OFFER_SCHEMA, OFFER_SCHEMA, pagedListOf } from '../ops/openapi/api-schemas';
import { Policy, PolicyObject } from '../policy/policy.decorator';
import { OFFER_ATTRIBUTES, OFFER_LIST_PARAMS } from './dto/offer-body';
import { OfferClaimService } from './offer-claim.service';
import { OfferListService } from './offer-list.service';
import { offerTarget, TargetOffer } from './offer-policy-target';
import { OffersService } from './offers.service';

@ApiTags('offers')
@Controller('v1/offers')
export class OffersController {
  constructor(
    private readonly listing: OfferListService,
    private readonly offers: OffersService,
    private readonly claims: OfferClaimService,
    @InjectConfig() private readonly config: EsiLeapConfig,
  ) {}

  @Get()
  @Policy('esi_leap:offer:get_all')
  @ApiOperation({ summary: 'List offers; restricted offers only to their lessee project tree, unless offer admin' })
  @ApiQueryParams(OFFER_LIST_PARAMS)
  @ApiJsonResponse(
    200,
    'The offers the caller may see',
    pagedListOf('offers', OFFER_SCHEMA, `http://esi-leap:7777/v1/offers?limit=100&marker=${OFFER_SCHEMA.example.uuid}`),
  )
  @ApiFaults()
  async list(@Ctx() ctx: RequestContext, @Query() query: Record<string, unknown>) {
    const parsed = parseQuery(query, OFFER_LIST_PARAMS);
    const page = pageRequest(parsed, this.config.api.max_limit);
    return pagedList('offers', await this.listing.list(ctx, parsed, page), page, (row) => String(row.uuid));
  }

  @Get(':ident')
  @Policy('esi_leap:offer:get', offerTarget({ statuses: null, lesseeOnly: true, withBusyIntervals: true }))
  @ApiOperation({ summary: 'Show an offer by UUID or name' })
  @ApiJsonResponse(200, 'The offer', OFFER_SCHEMA)
  @ApiFaults(404)
  show(@PolicyObject() target: TargetOffer, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.listing.show(target);
  }

  @Post()
  @HttpCode(201)
  @Policy('esi_leap:offer:create')
  @ApiOperation({ summary: "Create an offer on a node the caller's project owns, or inside its lease (a sub-offer)" })
  @ApiJsonBody(NEW_OFFER_SCHEMA)
  @ApiJsonResponse(201, 'The new offer', OFFER_SCHEMA)
  @ApiFaults(404, 409)
  create(@Ctx() ctx: RequestContext, @Body() body: unknown, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    return this.offers.create(ctx, parseBody(body, 'new_offer', OFFER_ATTRIBUTES));
  }

  @Delete(':ident')
  @Policy('esi_leap:offer:delete', offerTarget({ statuses: OFFER_CAN_DELETE, lesseeOnly: false }))
  @ApiOperation({ summary: 'Cancel an offer and the leases claimed from it' })
  @ApiJsonResponse(200, 'Cancelled; the body is JSON null', { type: 'object', nullable: true, example: null })
  @ApiFaults(404, 409)
  async delete(@PolicyObject() target: TargetOffer, @Query() query: Record<string, unknown>) {
    parseQuery(query, {});
    await this.offers.delete(target.offer);
    return JSON_NULL;
  }

  @Post(':ident/claim')
  @HttpCode(201)
  @Policy('esi_leap:offer:claim', offerTarget({ statuses: [OfferStatus.AVAILABLE], lesseeOnly: true }))
  @ApiOperation({ summary: 'Claim an offer: create a lease inside its window' })
  @ApiJsonBody(CLAIM_SCHEMA)
  @ApiJsonResponse(201, 'The new lease', LEASE_SCHEMA)
  @ApiFaults(404, 409)
  claim(
    @Ctx() ctx: RequestContext,
    @PolicyObject() target: TargetOffer,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
  ) {
    parseQuery(query, {});
    return this.claims.claim(ctx, target.offer, parseBody(body, 'new_lease', CLAIM_ATTRIBUTES));
  }
}

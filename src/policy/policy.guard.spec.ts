import { Controller, ExecutionContext, Get, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { emptyCredentials, RequestContext } from '../auth/request-context';
import { HTTPForbidden, HTTPResourceForbidden, OfferNotFound } from '../common/errors/esi-leap.exceptions';
import {
  NoPolicyRule,
  Policy,
  PolicyRequest,
  PolicyTargetResolver,
  Public,
  ResolvedPolicyTarget,
} from './policy.decorator';
import { PolicyGuard } from './policy.guard';
import { PolicyService } from './policy.service';

/** A resolver over a fixed table of offers, as the offers module's resolver reads the database. */
@Injectable()
class FixtureOffers implements PolicyTargetResolver<{ uuid: string; project: string }, { lesseeOnly: boolean }> {
  readonly afterRuleCalls: string[] = [];
  private readonly offers = new Map([['o-1', { uuid: 'o-1', project: 'p1' }]]);

  async resolve(
    request: PolicyRequest,
    options: { lesseeOnly: boolean },
  ): Promise<ResolvedPolicyTarget<{ uuid: string; project: string }>> {
    const offer = this.offers.get(request.params.ident);
    if (!offer) throw new OfferNotFound({ offer_uuid: request.params.ident });
    return {
      object: offer,
      target: { ...request.esiLeapContext!.creds, 'offer.project_id': offer.project },
      denied: () => new HTTPResourceForbidden({ resource_type: 'offer', resource: offer.uuid }),
      afterRule: options.lesseeOnly ? async () => void this.afterRuleCalls.push(offer.uuid) : undefined,
    };
  }
}

/** A lease whose update rule offers a narrower alternative (self-service extension), when switched on. */
@Injectable()
class FixtureLeases implements PolicyTargetResolver<{ grant: string }, { alternative: boolean }> {
  async resolve(
    request: PolicyRequest,
    options: { alternative: boolean },
  ): Promise<ResolvedPolicyTarget<{ grant: string }>> {
    return {
      object: { grant: 'update' },
      target: { ...request.esiLeapContext!.creds, 'lease.owner_id': 'p-owner', 'lease.project_id': 'p-lessee' },
      denied: () => new HTTPResourceForbidden({ resource_type: 'lease', resource: 'l-1' }),
      alternative: options.alternative ? { rule: 'esi_leap:lease:extend', object: { grant: 'extend' } } : undefined,
    };
  }
}

@Controller('offers')
class OffersFixture {
  @Get()
  @Policy('esi_leap:offer:get_all')
  list(): void {}

  @Get(':ident')
  @Policy('esi_leap:offer:delete', { resolver: FixtureOffers, options: { lesseeOnly: true } })
  remove(): void {}

  @Get('undeclared')
  undeclared(): void {}

  @Get('public')
  @Public()
  version(): void {}

  @Get('nodes')
  @NoPolicyRule('the driver decides')
  nodes(): void {}

  @Get('chosen')
  @Policy((request) => (request.query.view === 'all' ? 'esi_leap:lease:lease_admin' : 'esi_leap:lease:get_all'))
  chosen(): void {}
}

@Controller('leases')
@Policy('esi_leap:lease:get_all')
class LeasesFixture {
  @Get()
  list(): void {}

  @Get(':ident')
  @Policy('esi_leap:lease:update', { resolver: FixtureLeases, options: { alternative: true } })
  update(): void {}

  @Get(':ident/strict')
  @Policy('esi_leap:lease:update', { resolver: FixtureLeases, options: { alternative: false } })
  strictUpdate(): void {}

  @Get('admin')
  @Policy('esi_leap:lease:lease_admin')
  admin(): void {}
}

function contextFor(
  cls: object,
  handler: () => void,
  esiLeapContext?: RequestContext,
  request: Partial<PolicyRequest> = {},
): { ctx: ExecutionContext; request: PolicyRequest } {
  const req = { esiLeapContext, params: {}, query: {}, ...request } as PolicyRequest;
  const ctx = {
    getHandler: () => handler,
    getClass: () => cls,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, request: req };
}

function requestContext(roles: string[], project = 'p1'): RequestContext {
  return {
    creds: { ...emptyCredentials(), project_id: project, roles },
    authToken: null,
    projectName: null,
    requestId: 'req-1',
  };
}

describe('PolicyGuard', () => {
  const offers = new FixtureOffers();
  const leases = new FixtureLeases();
  const moduleRef = {
    get: (token: unknown) => (token === FixtureOffers ? offers : token === FixtureLeases ? leases : undefined),
  } as unknown as ModuleRef;
  const guard = new PolicyGuard(new Reflector(), PolicyService.forTesting(), moduleRef);
  const can = (cls: object, handler: () => void, context?: RequestContext, request?: Partial<PolicyRequest>) =>
    guard.canActivate(contextFor(cls, handler, context, request).ctx);

  it('refuses a route that declares no policy, whoever calls it', async () => {
    await expect(can(OffersFixture, OffersFixture.prototype.undeclared, requestContext(['admin']))).rejects.toThrow(
      HTTPForbidden,
    );
  });

  it('lets anyone through a @Public() route, even with no request context', async () => {
    await expect(can(OffersFixture, OffersFixture.prototype.version)).resolves.toBe(true);
  });

  it('lets any identified caller through a @NoPolicyRule route, but not an unidentified request', async () => {
    await expect(can(OffersFixture, OffersFixture.prototype.nodes, requestContext([]))).resolves.toBe(true);
    await expect(can(OffersFixture, OffersFixture.prototype.nodes)).rejects.toThrow(Error);
  });

  it('allows a caller the handler rule lets through', async () => {
    await expect(can(OffersFixture, OffersFixture.prototype.list, requestContext(['lessee']))).resolves.toBe(true);
  });

  it('throws 403 naming the rule for a caller it denies', async () => {
    await expect(can(OffersFixture, OffersFixture.prototype.list, requestContext([]))).rejects.toThrow(
      'Access was denied to esi_leap:offer:get_all.',
    );
  });

  it('reads the controller rule, and a handler rule overrides it', async () => {
    await expect(can(LeasesFixture, LeasesFixture.prototype.list, requestContext(['owner']))).resolves.toBe(true);
    await expect(can(LeasesFixture, LeasesFixture.prototype.admin, requestContext(['owner']))).rejects.toThrow(
      'Access was denied to esi_leap:lease:lease_admin.',
    );
  });

  it('checks the rule a route chooses from the request', async () => {
    const owner = requestContext(['owner']);
    await expect(can(OffersFixture, OffersFixture.prototype.chosen, owner, { query: {} })).resolves.toBe(true);
    await expect(can(OffersFixture, OffersFixture.prototype.chosen, owner, { query: { view: 'all' } })).rejects.toThrow(
      'Access was denied to esi_leap:lease:lease_admin.',
    );
  });

  describe('object rules', () => {
    it('answers 404 for an unknown object before any rule is checked', async () => {
      await expect(
        can(OffersFixture, OffersFixture.prototype.remove, requestContext([], 'p2'), { params: { ident: 'nope' } }),
      ).rejects.toThrow(OfferNotFound);
    });

    it("evaluates the rule on the object's keys and hands the object to the handler", async () => {
      const { ctx, request } = contextFor(OffersFixture, OffersFixture.prototype.remove, requestContext([], 'p1'), {
        params: { ident: 'o-1' },
      });
      await expect(guard.canActivate(ctx)).resolves.toBe(true);
      expect(request.esiLeapPolicyObject).toEqual({ uuid: 'o-1', project: 'p1' });
      expect(offers.afterRuleCalls).toEqual(['o-1']);
    });

    it("denies with the resolver's error, and skips the after-rule check", async () => {
      offers.afterRuleCalls.length = 0;
      await expect(
        can(OffersFixture, OffersFixture.prototype.remove, requestContext([], 'p2'), { params: { ident: 'o-1' } }),
      ).rejects.toThrow('Access was denied to offer o-1.');
      expect(offers.afterRuleCalls).toEqual([]);
    });
  });

  describe('an alternative rule', () => {
    const grantFor = async (handler: () => void, context: RequestContext) => {
      const { ctx, request } = contextFor(LeasesFixture, handler, context, { params: { ident: 'l-1' } });
      await guard.canActivate(ctx);
      return request.esiLeapPolicyObject;
    };

    it("is not consulted for a caller the route's rule allows", async () => {
      await expect(grantFor(LeasesFixture.prototype.update, requestContext(['admin']))).resolves.toEqual({
        grant: 'update',
      });
    });

    it('lets a caller it allows through with its own object', async () => {
      await expect(grantFor(LeasesFixture.prototype.update, requestContext([], 'p-lessee'))).resolves.toEqual({
        grant: 'extend',
      });
    });

    it("denies with the resolver's error a caller neither rule allows, or when there is none", async () => {
      await expect(grantFor(LeasesFixture.prototype.update, requestContext(['owner'], 'p-owner'))).rejects.toThrow(
        'Access was denied to lease l-1.',
      );
      await expect(grantFor(LeasesFixture.prototype.strictUpdate, requestContext([], 'p-lessee'))).rejects.toThrow(
        'Access was denied to lease l-1.',
      );
    });
  });

  it('treats a missing request context on a guarded route as a programming error', async () => {
    const attempt = can(OffersFixture, OffersFixture.prototype.list);
    await expect(attempt).rejects.toThrow(Error);
    await expect(can(OffersFixture, OffersFixture.prototype.list)).rejects.not.toThrow(HTTPForbidden);
  });

  it('lets every rule pass when auth is disabled, but still refuses an undeclared route', async () => {
    const noauth = new PolicyGuard(new Reflector(), PolicyService.forTesting({}, false), moduleRef);
    await expect(
      noauth.canActivate(contextFor(OffersFixture, OffersFixture.prototype.list, requestContext([])).ctx),
    ).resolves.toBe(true);
    await expect(
      noauth.canActivate(contextFor(OffersFixture, OffersFixture.prototype.undeclared, requestContext([])).ctx),
    ).rejects.toThrow(HTTPForbidden);
  });
});

import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { emptyCredentials, RequestContext } from '../auth/request-context';
import { HTTPForbidden } from '../common/errors/esi-leap.exceptions';
import { Policy } from './policy.decorator';
import { PolicyGuard } from './policy.guard';
import { PolicyService } from './policy.service';

@Controller('offers')
class OffersFixture {
  @Get()
  @Policy('esi_leap:offer:get_all')
  list(): void {}

  @Get(':id')
  show(): void {}
}

@Controller('leases')
@Policy('esi_leap:lease:get_all')
class LeasesFixture {
  @Get()
  list(): void {}

  @Get('admin')
  @Policy('esi_leap:lease:lease_admin')
  admin(): void {}
}

function contextFor(cls: object, handler: () => void, esiLeapContext?: RequestContext): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => cls,
    switchToHttp: () => ({ getRequest: () => ({ esiLeapContext }) }),
  } as unknown as ExecutionContext;
}

function requestContext(roles: string[]): RequestContext {
  return {
    creds: { ...emptyCredentials(), project_id: 'p1', roles },
    authToken: null,
    projectName: null,
    requestId: 'req-1',
  };
}

describe('PolicyGuard', () => {
  const guard = new PolicyGuard(new Reflector(), PolicyService.forTesting());

  it('allows a route without @Policy, even with no request context', () => {
    expect(guard.canActivate(contextFor(OffersFixture, OffersFixture.prototype.show))).toBe(true);
  });

  it('allows a caller the handler rule lets through', () => {
    const ctx = contextFor(OffersFixture, OffersFixture.prototype.list, requestContext(['lessee']));
    expect(guard.canActivate(ctx)).toBe(true);
  });

  it('throws 403 naming the rule for a caller it denies', () => {
    const ctx = contextFor(OffersFixture, OffersFixture.prototype.list, requestContext([]));
    expect(() => guard.canActivate(ctx)).toThrow(HTTPForbidden);
    expect(() => guard.canActivate(ctx)).toThrow('Access was denied to esi_leap:offer:get_all.');
  });

  it('reads the controller rule, and a handler rule overrides it', () => {
    expect(guard.canActivate(contextFor(LeasesFixture, LeasesFixture.prototype.list, requestContext(['owner'])))).toBe(
      true,
    );
    expect(() =>
      guard.canActivate(contextFor(LeasesFixture, LeasesFixture.prototype.admin, requestContext(['owner']))),
    ).toThrow('Access was denied to esi_leap:lease:lease_admin.');
  });

  it('treats a missing request context on a guarded route as a programming error', () => {
    const ctx = contextFor(OffersFixture, OffersFixture.prototype.list);
    expect(() => guard.canActivate(ctx)).toThrow(Error);
    expect(() => guard.canActivate(ctx)).not.toThrow(HTTPForbidden);
  });

  it('lets everyone through when auth is disabled', () => {
    const noauth = new PolicyGuard(new Reflector(), PolicyService.forTesting({}, false));
    expect(noauth.canActivate(contextFor(OffersFixture, OffersFixture.prototype.list, requestContext([])))).toBe(true);
  });
});

import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { HTTPForbidden } from '../common/errors/esi-leap.exceptions';
import { POLICY_KEY, PolicyDeclaration, PolicyRequest, PolicyTargetResolver } from './policy.decorator';
import { PolicyService } from './policy.service';

/**
 * Enforces the `@Policy(rule, target?)` of every route before its handler runs. A route must
 * declare its rule, or be explicitly `@Public()` or `@NoPolicyRule(reason)`: one that declares
 * nothing is refused, so a new route cannot be open by omission.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly logger = new Logger('esi-leap.policy');

  constructor(
    private readonly reflector: Reflector,
    private readonly policy: PolicyService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const declaration = this.reflector.getAllAndOverride<PolicyDeclaration | undefined>(POLICY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<PolicyRequest>();
    if (declaration === undefined) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no policy; refused`);
      throw new HTTPForbidden({ rule: 'an undeclared route' });
    }
    if (declaration.kind === 'public') return true;
    const ctx = request.esiLeapContext;
    if (!ctx)
      throw new Error(
        `PolicyGuard: no request context for ${context.getHandler().name}; the auth layer must run before it`,
      );
    if (declaration.kind === 'no-rule') return true;

    const rule = typeof declaration.rule === 'function' ? declaration.rule(request) : declaration.rule;
    if (!declaration.target) {
      this.policy.authorize(rule, ctx.creds);
      return true;
    }
    const resolver = this.moduleRef.get<PolicyTargetResolver>(declaration.target.resolver, { strict: false });
    const resolved = await resolver.resolve(request, declaration.target.options);
    let object = resolved.object;
    if (!this.policy.enforce(rule, ctx.creds, resolved.target)) {
      const alternative = resolved.alternative;
      if (!alternative || !this.policy.enforce(alternative.rule, ctx.creds, resolved.target)) throw resolved.denied();
      object = alternative.object;
    }
    await resolved.afterRule?.();
    request.esiLeapPolicyObject = object;
    return true;
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ContextualRequest } from '../auth/request-context';
import { POLICY_RULE_KEY } from './policy.decorator';
import { PolicyService } from './policy.service';

/** Enforces the `@Policy(rule)` of the handler (or its controller); routes without one pass. */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: PolicyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<string | undefined>(POLICY_RULE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule === undefined) return true;
    const request = context.switchToHttp().getRequest<ContextualRequest>();
    if (!request.esiLeapContext) {
      throw new Error(`PolicyGuard: no request context for ${rule}; the auth layer must run before it`);
    }
    this.policy.authorize(rule, request.esiLeapContext.creds);
    return true;
  }
}

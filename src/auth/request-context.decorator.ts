import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ContextualRequest, RequestContext } from './request-context';

/** The caller's RequestContext, which the auth layer attached to the request. */
export const Ctx = createParamDecorator((_data: unknown, host: ExecutionContext): RequestContext => {
  const context = host.switchToHttp().getRequest<ContextualRequest>().esiLeapContext;
  if (!context) throw new Error('request reached a controller without an authentication context');
  return context;
});

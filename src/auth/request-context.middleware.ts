import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { DefaultIdentity, identityFromHeaders } from './noauth-identity';
import { ContextualRequest } from './request-context';
import { assignRequestId } from './request-id';


/** Builds the request context for noauth mode and stamps the response with its request id. */
@Injectable()
export class NoauthContextMiddleware implements NestMiddleware {
  private readonly fallback: DefaultIdentity;

  constructor(@Inject(ESI_LEAP_CONFIG) config: EsiLeapConfig) {
    this.fallback = {
      projectId: config.noauth.project_id,
      projectName: config.noauth.project_name,
      roles: config.noauth.roles,
    };
  }

  use(req: Request & ContextualRequest, res: Response, next: NextFunction): void {
    const requestId = assignRequestId(req, res);
    const identity = identityFromHeaders(req.headers, this.fallback);
    req.esiLeapContext = { ...identity, requestId };
    next();
  }
}

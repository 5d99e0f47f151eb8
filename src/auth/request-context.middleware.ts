import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { DefaultIdentity, identityFromHeaders } from './noauth-identity';
import { ContextualRequest } from './request-context';

const REQUEST_ID = /^req-[0-9a-f-]{36}$/;

/**
 * Builds the request context for noauth mode and stamps every response with its
 * `X-Openstack-Request-Id` (a well-formed id sent by the caller is kept, as oslo.middleware
 * does for global request ids).
 */
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
    const sent = req.headers['x-openstack-request-id'];
    const requestId = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : `req-${randomUUID()}`;
    res.setHeader('X-Openstack-Request-Id', requestId);
    const identity = identityFromHeaders(req.headers, this.fallback);
    req.esiLeapContext = { ...identity, requestId };
    next();
  }
}

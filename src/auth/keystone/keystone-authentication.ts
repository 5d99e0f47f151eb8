import { NextFunction, Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { sendJson } from '../../common/http/json-response';
import { ContextualRequest, PolicyCredentials } from '../request-context';
import { assignRequestId } from '../request-id';
import { KeystoneTokenValidator } from './keystone-token-validator';
import { TokenIdentity } from './token-identity';

/** Served without a token: the root version document (keystoneauth discovery reads it) and the OpenAPI pages. */
const PUBLIC_PATH = /^\/(docs(-json|\/.*)?)?$/;

/**
 * Identity headers keystonemiddleware sets after validation; a caller sending them is ignored
 * by keystonemiddleware too, and they are removed so nothing downstream can read a spoofed value.
 */
const IDENTITY_HEADER =
  /^x-(identity-status|service-identity-status|service-catalog|service-roles|service-(user|project)-[a-z-]+|domain-(id|name)|project-[a-z-]+|user(-[a-z-]+)?|roles?|tenant(-[a-z]+)?|is-admin-project|system-scope)$/;

const UNAUTHORIZED = {
  error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
};

interface Validated {
  readonly token: string;
  readonly identity: TokenIdentity;
}

/**
 * The keystonemiddleware `auth_token` equivalent, an Express middleware placed in
 * front of everything else (body parsing included). `X-Auth-Token` is copied into
 * `Authorization: Bearer` so passport's bearer strategy reads both forms; a bearer token in the
 * query string or body, which passport would also take, is refused.
 */
export class KeystoneAuthentication {
  private readonly passport = new Passport();
  private readonly challenge: string;

  constructor(
    private readonly validator: KeystoneTokenValidator,
    wwwAuthenticateUri: string,
  ) {
    this.challenge = `Keystone uri="${wwwAuthenticateUri}"`;
    this.passport.use(
      new BearerStrategy(
        { passReqToCallback: true },
        (req: Request, token: string, done: (err: unknown, user?: Validated | false) => void) => {
          if (req.headers.authorization !== `Bearer ${token}`) return done(null, false);
          this.validator.validate(token).then(
            (identity) => done(null, identity ? ({ token, identity } satisfies Validated) : false),
            (err: unknown) => done(err),
          );
        },
      ),
    );
  }

  /** Whether Keystone answers at all, for `/healthcheck`. */
  probe(deadline: AbortSignal): Promise<void> {
    return this.validator.probe(deadline);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.validator.close();
  }

  readonly middleware: RequestHandler = (req, res, next) => {
    const requestId = assignRequestId(req, res);
    if (PUBLIC_PATH.test(req.path)) return next();
    for (const name of Object.keys(req.headers)) {
      if (IDENTITY_HEADER.test(name)) delete req.headers[name];
    }
    const authToken = req.headers['x-auth-token'];
    if (typeof authToken === 'string') req.headers.authorization = `Bearer ${authToken}`;
    const authenticate = this.passport.authenticate(
      'bearer',
      { session: false },
      (err: unknown, validated: Validated | false) => {
        if (err) return next(err);
        if (!validated) return this.reject(res);
        (req as Request & ContextualRequest).esiLeapContext = {
          creds: credentialsOf(validated.identity),
          authToken: validated.token,
          projectName: validated.identity.projectName,
          requestId,
        };
        next();
      },
    ) as RequestHandler;
    authenticate(req, res, next as NextFunction);
  };

  private reject(res: Response): void {
    res.setHeader('WWW-Authenticate', this.challenge);
    sendJson(res, 401, UNAUTHORIZED);
  }
}

/** oslo.context's policy values for a user token (no service token: the service_* keys stay empty). */
function credentialsOf(identity: TokenIdentity): PolicyCredentials {
  return {
    user_id: identity.userId,
    user_domain_id: identity.userDomainId,
    system_scope: identity.systemScope,
    domain_id: identity.domainId,
    project_id: identity.projectId,
    project_domain_id: identity.projectDomainId,
    roles: [...identity.roles],
    is_admin_project: identity.isAdminProject,
    service_user_id: null,
    service_user_domain_id: null,
    service_project_id: null,
    service_project_domain_id: null,
    service_roles: [],
  };
}

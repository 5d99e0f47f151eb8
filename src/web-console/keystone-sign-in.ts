import { Logger } from '@nestjs/common';
import { ClientError, ServiceUnavailable } from '../common/errors/esi-leap.exceptions';
import { identityV3Url } from '../openstack/keystone-session';

/** What a person types into the console's sign-in form. */
export interface PasswordCredentials {
  readonly username: string;
  readonly password: string;
  readonly project: string;
  /** The domain of both the user and the project, by name. */
  readonly domain: string;
}

/** A project-scoped token as the console keeps it, with what it shows of the identity. */
export interface SignedIn {
  readonly token: string;
  readonly expires_at: string;
  readonly user: { readonly id: string; readonly name: string };
  readonly project: { readonly id: string; readonly name: string };
  readonly roles: readonly string[];
}

interface KeystoneTokenBody {
  token: {
    expires_at: string;
    user: { id: string; name: string };
    project?: { id: string; name: string };
    roles?: { name: string }[];
  };
}

/** Keystone's refusal of a password: said once, the same for every wrong part, as Keystone does. */
export class SignInRefused extends ClientError {
  constructor() {
    super('Sign-in refused: the user name, password, project or domain is wrong.', 401);
  }
}

/**
 * Exchanges a user's password for a project-scoped token with Keystone, on the user's behalf,
 * and revokes a token at sign-out. Nothing is kept: the password is sent on once and the token
 * goes back to the browser, which holds it for the session.
 */
export class KeystoneSignIn {
  private readonly logger = new Logger('esi-leap.web-console');
  private readonly tokensUrl: string;

  constructor(
    authUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.tokensUrl = `${identityV3Url(authUrl)}/auth/tokens`;
  }

  async signIn(credentials: PasswordCredentials): Promise<SignedIn> {
    const domain = { name: credentials.domain };
    const response = await this.call('POST', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: credentials.username, domain, password: credentials.password } },
          },
          scope: { project: { name: credentials.project, domain } },
        },
      }),
    });
    const token = response.headers.get('x-subject-token');
    // 401: wrong password or user; 404 / 400: unknown project or domain, or a user without a
    // role on the project. All mean "check what you typed", and saying which would help a guesser.
    if (response.status === 401 || response.status === 404 || response.status === 400) throw new SignInRefused();
    if (response.status !== 201 || !token) {
      this.logger.error(`Keystone sign-in at ${this.tokensUrl} answered ${response.status}`);
      throw new ServiceUnavailable({ service: 'Keystone' });
    }
    const body = (await response.json()) as KeystoneTokenBody;
    const project = body.token.project;
    if (!project) throw new SignInRefused();
    return {
      token,
      expires_at: body.token.expires_at,
      user: { id: body.token.user.id, name: body.token.user.name },
      project: { id: project.id, name: project.name },
      roles: (body.token.roles ?? []).map((r) => r.name),
    };
  }

  /** Revokes the token (Keystone lets a token revoke itself); an already invalid one is fine. */
  async signOut(token: string): Promise<void> {
    const response = await this.call('DELETE', { headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } });
    if (response.status >= 500) {
      this.logger.error(`Keystone token revocation at ${this.tokensUrl} answered ${response.status}`);
      throw new ServiceUnavailable({ service: 'Keystone' });
    }
  }

  private async call(method: string, init: { headers: Record<string, string>; body?: string }): Promise<Response> {
    try {
      return await fetch(this.tokensUrl, {
        method,
        headers: { Accept: 'application/json', ...init.headers },
        body: init.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      this.logger.error(`${method} ${this.tokensUrl} failed: ${String(err)}`);
      throw new ServiceUnavailable({ service: 'Keystone' });
    }
  }
}

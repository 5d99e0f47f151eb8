import { Body, Controller, Delete, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { ClientError } from '../common/errors/esi-leap.exceptions';
import { ApiJsonBody, ApiJsonResponse } from '../ops/openapi/api-docs.decorators';
import { FAULT_SCHEMA } from '../ops/openapi/api-schemas';
import { Public } from '../policy/policy.decorator';
import { KeystoneSignIn, SignedIn } from './keystone-sign-in';
import { parseSignInBody } from './sign-in-body';
import { SIGN_IN_BODY_SCHEMA, SIGNED_IN_SCHEMA } from './web-console.schema';
import { WEB_CONSOLE_SESSION_PATH } from './web-console-paths';

/** Null in noauth mode: there is nobody to sign in as. */
export const KEYSTONE_SIGN_IN = 'KEYSTONE_SIGN_IN';

/**
 * The console's sign-in: the service exchanges the user's password for a project-scoped token
 * with Keystone and hands the token back; it stores neither. Public, because the caller has no
 * token yet; Keystone decides.
 */
@ApiTags('web console')
@Public()
@Controller(WEB_CONSOLE_SESSION_PATH.slice(1))
export class WebConsoleSessionController {
  constructor(@Inject(KEYSTONE_SIGN_IN) private readonly keystone: KeystoneSignIn | null) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Sign in with Keystone: a password for a project-scoped token (nothing is stored)' })
  @ApiJsonBody(SIGN_IN_BODY_SCHEMA)
  @ApiJsonResponse(201, 'The token, to send as X-Auth-Token, and who it is for', SIGNED_IN_SCHEMA)
  @ApiResponse({ status: 400, description: 'A missing field, or no Keystone (noauth mode)', schema: FAULT_SCHEMA })
  @ApiResponse({ status: 401, description: 'Keystone refused the credentials', schema: FAULT_SCHEMA })
  @ApiResponse({ status: 503, description: 'Keystone is unavailable', schema: FAULT_SCHEMA })
  async signIn(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<SignedIn> {
    const keystone = this.requireKeystone();
    const signedIn = await keystone.signIn(parseSignInBody(body));
    // A token in a body: no cache may keep it.
    res.setHeader('Cache-Control', 'no-store');
    return signedIn;
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: revoke the X-Auth-Token with Keystone' })
  @ApiResponse({ status: 204, description: 'Revoked (or already invalid)' })
  @ApiResponse({ status: 400, description: 'No X-Auth-Token, or no Keystone (noauth mode)', schema: FAULT_SCHEMA })
  @ApiResponse({ status: 503, description: 'Keystone is unavailable', schema: FAULT_SCHEMA })
  async signOut(@Headers('x-auth-token') token: string | undefined): Promise<void> {
    const keystone = this.requireKeystone();
    if (!token) throw new ClientError('Sign-out needs the X-Auth-Token to revoke.');
    await keystone.signOut(token);
  }

  private requireKeystone(): KeystoneSignIn {
    if (!this.keystone) {
      throw new ClientError('This service runs without Keystone ([pecan] auth_enable = false): there is no sign-in.');
    }
    return this.keystone;
  }
}

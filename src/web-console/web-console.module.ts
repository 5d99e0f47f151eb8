import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { KeystoneSignIn } from './keystone-sign-in';
import { KEYSTONE_SIGN_IN, WebConsoleSessionController } from './web-console-session.controller';

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The web console's server side beyond its static files (served by `webConsoleAssets` in front
 * of authentication): sign-in and sign-out with Keystone, against the Keystone the service
 * validates tokens with (`[keystone_authtoken] auth_url`).
 */
@Module({
  controllers: [WebConsoleSessionController],
  providers: [
    {
      provide: KEYSTONE_SIGN_IN,
      inject: [ESI_LEAP_CONFIG],
      useFactory: (config: EsiLeapConfig): KeystoneSignIn | null => {
        const section = config.keystone_authtoken;
        if (!config.pecan.auth_enable || !section.auth_url) return null;
        const timeout = section.http_connect_timeout;
        return new KeystoneSignIn(section.auth_url as string, timeout === null ? DEFAULT_TIMEOUT_MS : timeout * 1000);
      },
    },
  ],
})
export class WebConsoleModule {}

import { Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { KeystoneAuthentication } from './keystone/keystone-authentication';
import { keystoneAuthenticationFrom } from './keystone/keystone-authentication.factory';
import { NoauthContextMiddleware } from './request-context.middleware';

/**
 * Attaches the caller's identity to every request. With `[pecan] auth_enable` the Keystone token
 * check does it, installed by `configureHttpApp` in front of body parsing (keystonemiddleware is
 * the outermost layer); otherwise the noauth middleware reads the identity headers.
 */
@Module({
  providers: [
    NoauthContextMiddleware,
    {
      provide: KeystoneAuthentication,
      useFactory: (config: EsiLeapConfig) => (config.pecan.auth_enable ? keystoneAuthenticationFrom(config) : null),
      inject: [ESI_LEAP_CONFIG],
    },
  ],
  exports: [KeystoneAuthentication],
})
export class AuthModule implements NestModule {
  constructor(@Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.pecan.auth_enable) consumer.apply(NoauthContextMiddleware).forRoutes('*');
  }
}

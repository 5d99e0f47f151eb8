import { Module } from '@nestjs/common';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { ConsoleAuthTokensRepository } from './tokens/console-auth-tokens.repository';
import { ConsoleProxyServer } from './console-proxy.server';

/** The console-proxy role: the websocket server that redeems console tokens. */
@Module({
  imports: [ResourceDriversModule],
  providers: [ConsoleProxyServer, ConsoleAuthTokensRepository],
})
export class ConsoleProxyModule {}

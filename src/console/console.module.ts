import { Module } from '@nestjs/common';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { ConsoleAuthTokensController } from './console-auth-tokens.controller';
import { ConsoleAuthTokensRepository } from './tokens/console-auth-tokens.repository';
import { ConsoleAuthTokensService } from './console-auth-tokens.service';

/** The API side of the serial console: `/v1/console_auth_tokens`. */
@Module({
  imports: [ResourceDriversModule],
  controllers: [ConsoleAuthTokensController],
  providers: [ConsoleAuthTokensService, ConsoleAuthTokensRepository],
})
export class ConsoleModule {}

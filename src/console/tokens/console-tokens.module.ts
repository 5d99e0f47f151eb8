import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsoleAuthTokenEntity } from './console-auth-token.entity';
import { ConsoleAuthTokensRepository } from './console-auth-tokens.repository';

/**
 * Console token storage, below the leasing core: ending a lease revokes the tokens of its node,
 * and the console API and proxy issue and redeem them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ConsoleAuthTokenEntity])],
  providers: [ConsoleAuthTokensRepository],
  exports: [ConsoleAuthTokensRepository],
})
export class ConsoleTokensModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { ConfigModule } from '../config/config.module';
import { LoadedConfig } from '../config/config-loader';
import { DatabaseModule } from '../db/database.module';
import { ManagerModule } from '../manager/manager.module';
import { ApiModule } from './api.module';
import { RoleSet } from './roles';

/** The root module: configuration and database always, then the modules of the roles asked for. */
@Module({})
export class AppModule {
  static forRoot(loaded: LoadedConfig, roles: RoleSet): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(loaded),
        CommonModule,
        DatabaseModule.forRoot(),
        ...(roles.api ? [ApiModule] : []),
        ...(roles.manager ? [ManagerModule] : []),
      ],
    };
  }
}

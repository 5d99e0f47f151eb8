import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { LoadedConfig } from './config-loader';

/** DI token of the frozen `EsiLeapConfig`. */
export const ESI_LEAP_CONFIG = 'ESI_LEAP_CONFIG';
/** DI token of the whole `LoadedConfig` (files read, embedded flag, warnings). */
export const LOADED_CONFIG = 'LOADED_CONFIG';

/** Parameter decorator for `@InjectConfig() config: EsiLeapConfig`. */
export const InjectConfig = (): ParameterDecorator & PropertyDecorator => Inject(ESI_LEAP_CONFIG);

/**
 * Makes the configuration loaded by the CLI available everywhere. The loading happens before Nest
 * starts so that a bad file fails with one line instead of a bootstrap stack trace.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(loaded: LoadedConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: ESI_LEAP_CONFIG, useValue: loaded.config },
        { provide: LOADED_CONFIG, useValue: loaded },
      ],
      exports: [ESI_LEAP_CONFIG, LOADED_CONFIG],
    };
  }
}

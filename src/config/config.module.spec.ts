import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from './config-loader';
import { ConfigModule, ESI_LEAP_CONFIG, InjectConfig, LOADED_CONFIG } from './config.module';
import type { EsiLeapConfig } from './esi-leap-config';

@Injectable()
class NeedsConfig {
  constructor(@InjectConfig() readonly config: EsiLeapConfig) {}
}

describe('ConfigModule.forRoot', () => {
  it('provides the configuration and the loaded result to every module', async () => {
    const loaded = loadConfig({ homeDir: '/nonexistent', etcDir: '/nonexistent', env: {} });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loaded)],
      providers: [NeedsConfig],
    }).compile();

    expect(moduleRef.get(ESI_LEAP_CONFIG)).toBe(loaded.config);
    expect(moduleRef.get(LOADED_CONFIG)).toBe(loaded);
    expect(moduleRef.get(NeedsConfig).config).toBe(loaded.config);
    await moduleRef.close();
  });
});

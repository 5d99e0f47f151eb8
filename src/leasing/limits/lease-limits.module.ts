import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG, LOADED_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { policySearchDirs } from '../../policy/policy-file';
import { BookingGaps } from './booking-gaps';
import { LeaseLimits } from './lease-limits';
import { LimitsStore } from './limits-store';

/** `[lease_policy] limits_file`'s default: only a file named otherwise must exist. */
const DEFAULT_LIMITS_FILE = 'lease-limits.yaml';

/**
 * The limits file (reloaded when it changes) and what it says: lease lengths, extension rules,
 * quotas, the cleaning time between leases (BookingGaps, which every computation of free
 * windows applies). Without a file, upstream's `[api] max_lease_time` holds and nothing else.
 */
@Module({
  providers: [
    {
      provide: LimitsStore,
      inject: [ESI_LEAP_CONFIG, LOADED_CONFIG],
      useFactory: (config: EsiLeapConfig, loaded: { readonly files: readonly string[] }) =>
        new LimitsStore({
          file: config.lease_policy.limits_file,
          required: config.lease_policy.limits_file !== DEFAULT_LIMITS_FILE,
          searchDirs: policySearchDirs(loaded.files),
        }),
    },
    {
      provide: LeaseLimits,
      inject: [LimitsStore, ESI_LEAP_CONFIG],
      useFactory: (store: LimitsStore, config: EsiLeapConfig) => new LeaseLimits(store, config.api.max_lease_time),
    },
    { provide: BookingGaps, useExisting: LeaseLimits },
  ],
  exports: [LeaseLimits, BookingGaps],
})
export class LeaseLimitsModule {}

import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG, LOADED_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { BookingGaps } from '../leasing/data/booking-gaps';
import { policySearchDirs } from '../policy/policy-file';
import { ProjectsModule } from '../projects/projects.module';
import { EnforcementClient } from './enforcement/enforcement-client';
import { LeaseLimits } from './limits/lease-limits';
import { LimitsStore } from './limits/limits-store';
import { BookedResources } from './lookups/booked-resources';
import { ProjectAncestry } from './lookups/project-ancestry';
import { QuotaLeasesRepository } from './quotas/quota-leases.repository';
import { QuotaUsage } from './quotas/quota-usage';

/** `[lease_policy] limits_file`'s default: only a file named otherwise must exist. */
const DEFAULT_LIMITS_FILE = 'lease-limits.yaml';

const exported = [LeaseLimits, BookingGaps, BookedResources, ProjectAncestry, QuotaUsage, EnforcementClient];

/**
 * What bookings must obey beside the conflict checks, from the limits file and the external
 * enforcement service: the parts the booking guards (src/lease-policy/guards, registered in
 * BookingModule) and the quota report use. The cleaning time is also offered as BookingGaps,
 * for whatever computes free windows.
 */
@Module({
  imports: [ProjectsModule, ResourceDriversModule],
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
    BookedResources,
    ProjectAncestry,
    QuotaLeasesRepository,
    QuotaUsage,
    EnforcementClient,
  ],
  exports: exported,
})
export class LeasePolicyModule {}

import { Module } from '@nestjs/common';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { LeaseLimitsModule } from '../leasing/limits/lease-limits.module';
import { ProjectsModule } from '../projects/projects.module';
import { EnforcementClient } from './enforcement/enforcement-client';
import { CleaningTimeGuard } from './guards/cleaning-time.guard';
import { ExternalEnforcementGuard } from './guards/external-enforcement.guard';
import { LeaseLimitsGuard } from './guards/lease-limits.guard';
import { QuotaGuard } from './guards/quota.guard';
import { BookedResources } from './lookups/booked-resources';
import { ProjectAncestry } from './lookups/project-ancestry';
import { QuotaLeasesRepository } from './quotas/quota-leases.repository';
import { QuotaUsage } from './quotas/quota-usage';

/** The booking guards of the limits file and the external enforcement service, in the order they run. */
export const LEASE_POLICY_GUARDS = [LeaseLimitsGuard, CleaningTimeGuard, QuotaGuard, ExternalEnforcementGuard] as const;

/**
 * What bookings must obey beside the conflict checks, from the limits file and the external
 * enforcement service: the booking guards (wired into the booking path by
 * src/app/booking-guards.module.ts) and what the quota report uses.
 */
@Module({
  imports: [LeaseLimitsModule, ProjectsModule, ResourceDriversModule],
  providers: [
    BookedResources,
    ProjectAncestry,
    QuotaLeasesRepository,
    QuotaUsage,
    EnforcementClient,
    ...LEASE_POLICY_GUARDS,
  ],
  exports: [LeaseLimitsModule, QuotaUsage, EnforcementClient, ...LEASE_POLICY_GUARDS],
})
export class LeasePolicyModule {}

import { Module } from '@nestjs/common';
import { PolicyModule } from '../../policy/policy.module';
import { ProjectsModule } from '../../projects/projects.module';
import { LeasingDataModule } from '../data/leasing-data.module';
import { LeaseLimitsModule } from '../limits/lease-limits.module';
import { AccessRules } from './access-rules';
import { BookingService } from './booking.service';
import { ConflictChecks } from './conflict-checks';
import { LeaseScheduleNotifier } from './lease-schedule.notifier';

/**
 * The one booking path (BookingService) and the rules on who may book what (AccessRules). The
 * booking guards (BOOKING_GUARDS) are provided by the application (src/app/booking-guards.module.ts):
 * they live in the features above the core, which build on it.
 */
@Module({
  imports: [LeasingDataModule, LeaseLimitsModule, PolicyModule, ProjectsModule],
  providers: [BookingService, ConflictChecks, AccessRules, LeaseScheduleNotifier],
  exports: [BookingService, AccessRules, LeaseScheduleNotifier, LeasingDataModule, ProjectsModule],
})
export class BookingModule {}

import { Module } from '@nestjs/common';
import { PolicyModule } from '../../policy/policy.module';
import { ProjectsModule } from '../../projects/projects.module';
import { LeasingDataModule } from '../data/leasing-data.module';
import { AccessRules } from './access-rules';
import { BookingService } from './booking.service';
import { ConflictChecks } from './conflict-checks';
import { LeaseScheduleNotifier } from './lease-schedule.notifier';

/** The one booking path (BookingService) and the rules on who may book what (AccessRules). */
@Module({
  imports: [LeasingDataModule, PolicyModule, ProjectsModule],
  providers: [BookingService, ConflictChecks, AccessRules, LeaseScheduleNotifier],
  exports: [BookingService, AccessRules, LeaseScheduleNotifier, LeasingDataModule, ProjectsModule],
})
export class BookingModule {}

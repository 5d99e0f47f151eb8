import { Module } from '@nestjs/common';
import { NodeHealthStateModule } from '../../node-health/state/node-health-state.module';
import { UnhealthyNodeGuard } from '../../node-health/guard/unhealthy-node.guard';
import { PolicyModule } from '../../policy/policy.module';
import { ProjectsModule } from '../../projects/projects.module';
import { LeasingDataModule } from '../data/leasing-data.module';
import { AccessRules } from './access-rules';
import { BOOKING_GUARDS, BookingGuard } from './booking-guard';
import { BookingService } from './booking.service';
import { ConflictChecks } from './conflict-checks';
import { LeaseScheduleNotifier } from './lease-schedule.notifier';

/** The rules every booking obeys beside the conflict checks; each is a BookingGuard. */
const GUARDS: readonly (new (...args: never[]) => BookingGuard)[] = [UnhealthyNodeGuard];

/** The one booking path (BookingService) and the rules on who may book what (AccessRules). */
@Module({
  imports: [LeasingDataModule, PolicyModule, ProjectsModule, NodeHealthStateModule],
  providers: [
    BookingService,
    ConflictChecks,
    AccessRules,
    LeaseScheduleNotifier,
    ...GUARDS,
    { provide: BOOKING_GUARDS, inject: [...GUARDS], useFactory: (...guards: BookingGuard[]) => guards },
  ],
  exports: [BookingService, AccessRules, LeaseScheduleNotifier, LeasingDataModule, ProjectsModule],
})
export class BookingModule {}

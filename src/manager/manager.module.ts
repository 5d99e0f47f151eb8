import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConsoleTokensModule } from '../console/tokens/console-tokens.module';
import { BookingModule } from '../leasing/booking/booking.module';
import { LifecycleModule } from '../leasing/lifecycle/lifecycle.module';
import { LeaseMailModule } from '../notifications/email/lease-mail.module';
import { RemindersModule } from '../notifications/reminders/reminders.module';
import { ConsoleTokenHousekeeping } from './console-token-housekeeping';
import { ManagerJobs } from './manager-jobs';
import { ManagerMetrics } from './manager-metrics';
import { ManagerScheduler } from './manager.scheduler';

/** The manager role: the lease and offer lifecycle on time, and housekeeping. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    LifecycleModule,
    BookingModule,
    ConsoleTokensModule,
    LeaseMailModule,
    RemindersModule,
  ],
  providers: [ManagerJobs, ManagerMetrics, ManagerScheduler, ConsoleTokenHousekeeping],
  exports: [ManagerJobs, ManagerMetrics],
})
export class ManagerModule {}

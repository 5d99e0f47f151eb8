import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LeasingModule } from '../leasing/leasing.module';
import { LeaseMailModule } from '../notifications/email/lease-mail.module';
import { ManagerJobs } from './manager-jobs';
import { ManagerMetrics } from './manager-metrics';
import { ManagerScheduler } from './manager.scheduler';

/** The manager role: scheduled lease and offer lifecycle (service.md B). */
@Module({
  imports: [ScheduleModule.forRoot(), LeasingModule, LeaseMailModule],
  providers: [ManagerJobs, ManagerMetrics, ManagerScheduler],
  exports: [ManagerJobs, ManagerMetrics],
})
export class ManagerModule {}

import { Module } from '@nestjs/common';
import { LeasingDataModule } from '../../leasing/data/leasing-data.module';
import { LeasingViewsModule } from '../../leasing/views/leasing-views.module';
import { ProjectsModule } from '../../projects/projects.module';
import { RemindersModule } from '../reminders/reminders.module';
import { LeaseMailJob } from './lease-mail.job';
import { LeaseMailRepository } from './lease-mail.repository';
import { LeaseMailScheduler } from './lease-mail.scheduler';
import { ReminderMailScheduler } from './reminder-mail.scheduler';
import { SmtpMailer } from './smtp-mailer';

/** E-mail to lessees, in the manager role (the schedulers do nothing unless `[email] enabled`). */
@Module({
  imports: [LeasingDataModule, LeasingViewsModule, ProjectsModule, RemindersModule],
  providers: [LeaseMailJob, LeaseMailRepository, LeaseMailScheduler, ReminderMailScheduler, SmtpMailer],
  exports: [LeaseMailJob],
})
export class LeaseMailModule {}

import { Module } from '@nestjs/common';
import { LeasingDataModule } from '../../leasing/data/leasing-data.module';
import { LeasingViewsModule } from '../../leasing/views/leasing-views.module';
import { ProjectsModule } from '../../projects/projects.module';
import { LeaseMailJob } from './lease-mail.job';
import { LeaseMailRepository } from './lease-mail.repository';
import { LeaseMailScheduler } from './lease-mail.scheduler';
import { SmtpMailer } from './smtp-mailer';

/** E-mail to lessees, in the manager role (the scheduler does nothing unless `[email] enabled`). */
@Module({
  imports: [LeasingDataModule, LeasingViewsModule, ProjectsModule],
  providers: [LeaseMailJob, LeaseMailRepository, LeaseMailScheduler, SmtpMailer],
  exports: [LeaseMailJob],
})
export class LeaseMailModule {}

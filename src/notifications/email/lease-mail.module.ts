import { Module } from '@nestjs/common';
import { LeasingModule } from '../../leasing/leasing.module';
import { LeaseMailJob } from './lease-mail.job';
import { LeaseMailRepository } from './lease-mail.repository';
import { LeaseMailScheduler } from './lease-mail.scheduler';
import { SmtpMailer } from './smtp-mailer';

/** E-mail to lessees, in the manager role (the scheduler does nothing unless `[email] enabled`). */
@Module({
  imports: [LeasingModule],
  providers: [LeaseMailJob, LeaseMailRepository, LeaseMailScheduler, SmtpMailer],
  exports: [LeaseMailJob],
})
export class LeaseMailModule {}

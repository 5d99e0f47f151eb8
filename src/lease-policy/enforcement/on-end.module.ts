import { Module } from '@nestjs/common';
import { LeasingDataModule } from '../../leasing/data/leasing-data.module';
import { LeasePolicyModule } from '../lease-policy.module';
import { OutboxModule } from '../../outbox/outbox.module';
import { OnEndRelay } from './on-end-relay';
import { OnEndScheduler } from './on-end.scheduler';

/** The external enforcement service's `on-end` calls, where the manager runs. */
@Module({
  imports: [LeasePolicyModule, LeasingDataModule, OutboxModule],
  providers: [OnEndRelay, OnEndScheduler],
  exports: [OnEndRelay],
})
export class EnforcementOnEndModule {}

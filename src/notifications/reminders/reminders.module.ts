import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LifecycleModule } from '../../leasing/lifecycle/lifecycle.module';
import { LeaseReminderEntity } from './lease-reminder.entity';
import { LeaseReminders } from './lease-reminders';
import { LeaseRemindersRepository } from './lease-reminders.repository';
import { ReminderSignal } from './reminder-signal';

/** `[reminders]`: the end_soon/start_soon events the manager writes, and their table. */
@Module({
  imports: [LifecycleModule, TypeOrmModule.forFeature([LeaseReminderEntity])],
  providers: [LeaseReminders, LeaseRemindersRepository, ReminderSignal],
  exports: [LeaseReminders, LeaseRemindersRepository, ReminderSignal],
})
export class RemindersModule {}

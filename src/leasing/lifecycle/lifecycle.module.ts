import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { ConsoleTokensModule } from '../../console/tokens/console-tokens.module';
import { LeasingDataModule } from '../data/leasing-data.module';
import { DriverFailureBackoff } from './driver-failure-backoff';
import { EVENT_OUTBOX_SETTINGS, eventOutboxSettings, EventRecorder } from './event-recorder';
import { LeaseClaims } from './lease-claims';
import { LeaseLifecycle } from './lease-lifecycle';
import { NodeHandover } from './node-handover';
import { TransitionRecorder } from './transition-recorder';

/** The one transition path (LeaseLifecycle): fulfil, cancel, expire, cascades, node hand-over, events. */
@Module({
  imports: [LeasingDataModule, ConsoleTokensModule],
  providers: [
    { provide: EVENT_OUTBOX_SETTINGS, inject: [ESI_LEAP_CONFIG], useFactory: eventOutboxSettings },
    EventRecorder,
    LeaseClaims,
    NodeHandover,
    TransitionRecorder,
    DriverFailureBackoff,
    LeaseLifecycle,
  ],
  exports: [LeaseLifecycle, EventRecorder, LeasingDataModule],
})
export class LifecycleModule {}

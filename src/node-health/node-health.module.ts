import { Module } from '@nestjs/common';
import { BookingModule } from '../leasing/booking/booking.module';
import { LifecycleModule } from '../leasing/lifecycle/lifecycle.module';
import { IronicNotificationsController } from './consumer/ironic-notifications.controller';
import { NodeNotificationHandler } from './consumer/node-notification.handler';
import { LeaseHealing } from './effects/lease-healing';
import { NodeBookingsRepository } from './effects/node-bookings.repository';
import { NodeHealthEffects } from './effects/node-health-effects';
import { NodeHealthReconcileScheduler } from './reconcile/node-health-reconcile.scheduler';
import { NodeHealthReconciler } from './reconcile/node-health-reconciler';
import { NodeHealthStateModule } from '../leasing/health/node-health-state.module';

/**
 * The manager role's side of node health (docs/node-health.md): the Ironic notification
 * handlers (their transport is attached by connectIronicNotifications), the periodic
 * reconcile, and the effects both apply.
 */
@Module({
  imports: [NodeHealthStateModule, LifecycleModule, BookingModule],
  controllers: [IronicNotificationsController],
  providers: [
    NodeBookingsRepository,
    NodeHealthEffects,
    LeaseHealing,
    NodeHealthReconciler,
    NodeHealthReconcileScheduler,
    NodeNotificationHandler,
  ],
  exports: [NodeHealthReconciler, NodeHealthEffects, NodeNotificationHandler],
})
export class NodeHealthModule {}

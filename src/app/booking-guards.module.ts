import { Global, Module } from '@nestjs/common';
import { LEASE_POLICY_GUARDS, LeasePolicyModule } from '../lease-policy/lease-policy.module';
import { NodeHealthStateModule } from '../leasing/health/node-health-state.module';
import { UnhealthyNodeGuard } from '../node-health/guard/unhealthy-node.guard';
import { BOOKING_GUARDS, BookingGuard } from '../leasing/booking/booking-guard';

/**
 * Wires the booking guards, which live in the features above the leasing core, into its one
 * booking path (BookingService injects BOOKING_GUARDS). A guard added here runs on every
 * booking: offers, claims, leases, sub-leases, groups and extensions.
 */
@Global()
@Module({
  imports: [LeasePolicyModule, NodeHealthStateModule],
  providers: [
    UnhealthyNodeGuard,
    {
      provide: BOOKING_GUARDS,
      // A broken node first: nothing else is worth asking about it.
      inject: [UnhealthyNodeGuard, ...LEASE_POLICY_GUARDS],
      useFactory: (...guards: BookingGuard[]): readonly BookingGuard[] => guards,
    },
  ],
  exports: [BOOKING_GUARDS],
})
export class BookingGuardsModule {}

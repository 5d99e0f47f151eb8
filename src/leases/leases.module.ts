import { Module } from '@nestjs/common';
import { LeasePolicyModule } from '../lease-policy/lease-policy.module';
import { LeaseUpdateTarget } from '../lease-policy/self-service/lease-update-target';
import { BookingModule } from '../leasing/booking/booking.module';
import { LifecycleModule } from '../leasing/lifecycle/lifecycle.module';
import { LeasingViewsModule } from '../leasing/views/leasing-views.module';
import { LeaseListService } from './lease-list.service';
import { LeasePolicyTarget } from './lease-policy-target';
import { LeasesController } from './leases.controller';
import { LeasesService } from './leases.service';

/** `/v1/leases`: list, show, create, change end, cancel. */
@Module({
  imports: [BookingModule, LifecycleModule, LeasingViewsModule, LeasePolicyModule],
  controllers: [LeasesController],
  providers: [LeaseListService, LeasesService, LeasePolicyTarget, LeaseUpdateTarget],
})
export class LeasesModule {}

import { Module } from '@nestjs/common';
import { LeasePolicyModule } from '../lease-policy/lease-policy.module';
import { BookingModule } from '../leasing/booking/booking.module';
import { LifecycleModule } from '../leasing/lifecycle/lifecycle.module';
import { SelectionModule } from '../leasing/selection/selection.module';
import { LeasingViewsModule } from '../leasing/views/leasing-views.module';
import { LeaseGroupPresenter } from './lease-group.presenter';
import {
  LeaseGroupListPolicyTarget,
  LeaseGroupPolicyTarget,
  LeaseGroupUpdateTarget,
} from './lease-group-policy-target';
import { LeaseGroupsController } from './lease-groups.controller';
import { LeaseGroupsService } from './lease-groups.service';

/** `/v1/lease_groups`: book N leases all or none, list, show, change their end, cancel them. */
@Module({
  imports: [BookingModule, LifecycleModule, LeasingViewsModule, SelectionModule, LeasePolicyModule],
  controllers: [LeaseGroupsController],
  providers: [
    LeaseGroupsService,
    LeaseGroupPresenter,
    LeaseGroupPolicyTarget,
    LeaseGroupListPolicyTarget,
    LeaseGroupUpdateTarget,
  ],
})
export class LeaseGroupsModule {}

import { Module } from '@nestjs/common';
import { LeaseLimitsModule } from '../limits/lease-limits.module';
import { NodeHealthStateModule } from '../health/node-health-state.module';
import { ProjectsModule } from '../../projects/projects.module';
import { LeasingDataModule } from '../data/leasing-data.module';
import { LeasePresenter } from './lease.presenter';
import { OfferPresenter } from './offer.presenter';
import { ResourceDecorator } from './resource-decorator';

/**
 * Offers and leases as the API shows them: upstream's attribute order, names, resources,
 * availabilities, node health.
 */
@Module({
  imports: [LeasingDataModule, ProjectsModule, LeaseLimitsModule, NodeHealthStateModule],
  providers: [OfferPresenter, LeasePresenter, ResourceDecorator],
  exports: [OfferPresenter, LeasePresenter, ResourceDecorator, NodeHealthStateModule],
})
export class LeasingViewsModule {}

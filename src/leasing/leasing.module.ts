import { Module } from '@nestjs/common';
import { ConsoleAuthTokensRepository } from '../console/tokens/console-auth-tokens.repository';
import { EventRecorder } from './lifecycle/event-recorder';
import { EventsRepository } from './data/events.repository';
import { LeasePresenter } from './views/lease.presenter';
import { LeasesRepository } from './data/leases.repository';
import { NotificationSnapshotsModule } from '../notifications/notification-snapshots.module';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { OfferPresenter } from './views/offer.presenter';
import { OffersRepository } from './data/offers.repository';
import { PolicyModule } from '../policy/policy.module';
import { ProjectsModule } from '../projects/projects.module';
import { AccessRules } from './booking/access-rules';
import { AvailabilityChecks } from './booking/availability-checks';
import { IdentResolver } from './data/ident-resolver';
import { LeaseRetriesRepository } from './data/lease-retries.repository';
import { LeaseScheduleNotifier } from './lifecycle/lease-schedule.notifier';
import { DriverFailureBackoff } from './lifecycle/driver-failure-backoff';
import { LeaseExpirer } from './lifecycle/lease-expirer';
import { LeaseFulfiller } from './lifecycle/lease-fulfiller';
import { LeaseTransitions } from './lifecycle/lease-transitions';
import { NodeRelease } from './lifecycle/node-release';
import { TransitionWriter } from './lifecycle/transition-writer';
import { ResourceDecorator } from './views/resource-decorator';

/**
 * The leasing core shared by the offer, lease, node and event endpoints and the manager:
 * offers and leases refer to each other (claims, cascades), so their repositories and rules
 * live together here and the HTTP modules stay thin.
 */
@Module({
  // AccessRules needs PolicyService: without it a manager-only process cannot boot.
  imports: [ResourceDriversModule, ProjectsModule, PolicyModule, NotificationSnapshotsModule],
  providers: [
    LeaseScheduleNotifier,
    OffersRepository,
    LeasesRepository,
    EventsRepository,
    EventRecorder,
    AccessRules,
    AvailabilityChecks,
    IdentResolver,
    LeaseTransitions,
    LeaseFulfiller,
    LeaseExpirer,
    NodeRelease,
    TransitionWriter,
    DriverFailureBackoff,
    LeaseRetriesRepository,
    ConsoleAuthTokensRepository,
    ResourceDecorator,
    OfferPresenter,
    LeasePresenter,
  ],
  exports: [
    LeaseScheduleNotifier,
    ResourceDecorator,
    ConsoleAuthTokensRepository,
    ResourceDriversModule,
    ProjectsModule,
    OffersRepository,
    LeasesRepository,
    EventsRepository,
    EventRecorder,
    AccessRules,
    AvailabilityChecks,
    IdentResolver,
    LeaseTransitions,
    LeaseFulfiller,
    LeaseExpirer,
    OfferPresenter,
    LeasePresenter,
  ],
})
export class LeasingModule {}

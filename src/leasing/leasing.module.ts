import { Module } from '@nestjs/common';
import { ConsoleAuthTokensRepository } from '../console/console-auth-tokens.repository';
import { EventRecorder } from '../events/event-recorder';
import { EventsRepository } from '../events/events.repository';
import { LeasePresenter } from '../leases/lease.presenter';
import { LeasesRepository } from '../leases/leases.repository';
import { NotificationSnapshotsModule } from '../notifications/notification-snapshots.module';
import { ResourceDriversModule } from '../nodes/drivers/resource-drivers.module';
import { OfferPresenter } from '../offers/offer.presenter';
import { OffersRepository } from '../offers/offers.repository';
import { PolicyModule } from '../policy/policy.module';
import { ProjectsModule } from '../projects/projects.module';
import { AccessRules } from './access-rules';
import { AvailabilityChecks } from './availability-checks';
import { IdentResolver } from './ident-resolver';
import { LeaseRetriesRepository } from './lease-retries.repository';
import { LeaseScheduleNotifier } from './lease-schedule.notifier';
import { DriverFailureBackoff } from './driver-failure-backoff';
import { LeaseExpirer } from './lease-expirer';
import { LeaseFulfiller } from './lease-fulfiller';
import { LeaseTransitions } from './lease-transitions';
import { NodeRelease } from './node-release';
import { TransitionWriter } from './transition-writer';
import { ResourceDecorator } from './resource-decorator';

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

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ResourceDriversModule } from '../../drivers/resource-drivers.module';
import { BusyIntervalsRepository } from './busy-intervals.repository';
import { EventEntity } from './event.entity';
import { EventsRepository } from './events.repository';
import { FleetBookingsRepository } from './fleet-bookings.repository';
import { IdentResolver } from './ident-resolver';
import { LeaseEntity } from './lease.entity';
import { LeaseGroupEntity, LeaseGroupMemberEntity } from './lease-group.entity';
import { LeaseGroupsRepository } from './lease-groups.repository';
import { LeaseSnapshotEntity } from './lease-snapshot.entity';
import { LeaseSnapshotsRepository } from './lease-snapshots.repository';
import { LeaseWorkEntity } from './lease-work.entity';
import { LeaseWorkRepository } from './lease-work.repository';
import { LeasesRepository } from './leases.repository';
import { OfferEntity } from './offer.entity';
import { OffersRepository } from './offers.repository';

const repositories = [
  OffersRepository,
  LeasesRepository,
  EventsRepository,
  LeaseWorkRepository,
  LeaseSnapshotsRepository,
  BusyIntervalsRepository,
  LeaseGroupsRepository,
  FleetBookingsRepository,
  IdentResolver,
];

/** The leasing tables and every SQL question about them; name-or-uuid resolution. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      OfferEntity,
      LeaseEntity,
      EventEntity,
      LeaseWorkEntity,
      LeaseSnapshotEntity,
      LeaseGroupEntity,
      LeaseGroupMemberEntity,
    ]),
    ResourceDriversModule,
  ],
  providers: repositories,
  exports: [...repositories, ResourceDriversModule],
})
export class LeasingDataModule {}

import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module';
import { AvailabilityModule } from '../availability/availability.module';
import { ConsoleModule } from '../console/console.module';
import { EsiLeapExceptionFilter } from '../common/errors/esi-leap-exception.filter';
import { EventsModule } from '../events/events.module';
import { LeaseGroupsModule } from '../lease-groups/lease-groups.module';
import { LeasesModule } from '../leases/leases.module';
import { NodesModule } from '../nodes/nodes.module';
import { OffersModule } from '../offers/offers.module';
import { PolicyGuard } from '../policy/policy.guard';
import { PolicyModule } from '../policy/policy.module';
import { QuotasModule } from '../quotas/quotas.module';
import { TimelineModule } from '../timeline/timeline.module';
import { VersionController } from '../version/version.controller';
import { WebConsoleModule } from '../web-console/web-console.module';

/** The REST API role: everything under `/` and `/v1`. */
@Module({
  imports: [
    AuthModule,
    PolicyModule,
    OffersModule,
    LeasesModule,
    LeaseGroupsModule,
    NodesModule,
    EventsModule,
    ConsoleModule,
    QuotasModule,
    TimelineModule,
    AvailabilityModule,
    WebConsoleModule,
  ],
  controllers: [VersionController],
  providers: [
    { provide: APP_FILTER, useClass: EsiLeapExceptionFilter },
    { provide: APP_GUARD, useExisting: PolicyGuard },
  ],
})
export class ApiModule {}

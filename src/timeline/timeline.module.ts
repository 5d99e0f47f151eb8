import { Module } from '@nestjs/common';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { ProjectsModule } from '../projects/projects.module';
import { NodeHealthSource, UnknownNodeHealth } from './node-health';
import { TimelineBookingsRepository } from './timeline-bookings.repository';
import { TimelineController } from './timeline.controller';
import { TimelineService } from './timeline.service';
import { TimelineVisibility } from './timeline-visibility';

/** `GET /v1/timeline`: what the web console draws. */
@Module({
  imports: [ResourceDriversModule, ProjectsModule],
  controllers: [TimelineController],
  providers: [
    TimelineService,
    TimelineBookingsRepository,
    TimelineVisibility,
    // Replaced by the node-health module's source once node health is tracked.
    { provide: NodeHealthSource, useClass: UnknownNodeHealth },
  ],
})
export class TimelineModule {}

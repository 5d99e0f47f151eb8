import { Module } from '@nestjs/common';
import { ResourceDriversModule } from '../drivers/resource-drivers.module';
import { ProjectsModule } from '../projects/projects.module';
import { NodeHealthStateModule } from '../leasing/health/node-health-state.module';
import { TimelineHealth } from './node-health';
import { TimelineBookingsRepository } from './timeline-bookings.repository';
import { TimelineController } from './timeline.controller';
import { TimelineService } from './timeline.service';
import { TimelineVisibility } from './timeline-visibility';

/** `GET /v1/timeline`: what the web console draws. */
@Module({
  imports: [ResourceDriversModule, ProjectsModule, NodeHealthStateModule],
  controllers: [TimelineController],
  providers: [
    TimelineService,
    TimelineBookingsRepository,
    TimelineVisibility,
    TimelineHealth,
  ],
})
export class TimelineModule {}

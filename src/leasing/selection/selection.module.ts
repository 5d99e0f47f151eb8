import { Module } from '@nestjs/common';
import { ProjectsModule } from '../../projects/projects.module';
import { LeasingDataModule } from '../data/leasing-data.module';
import { NodeHealthStateModule } from '../health/node-health-state.module';
import { LeaseLimitsModule } from '../limits/lease-limits.module';
import { BookableFleet } from './bookable-fleet';
import { CapacitySelector } from './capacity-selector';

/**
 * Finding capacity: which nodes a caller could book for a window (CapacitySelector, for lease
 * groups) and the fleet reading behind it and the availability search (BookableFleet). Reads
 * only; bookings go through the booking path.
 */
@Module({
  imports: [LeasingDataModule, LeaseLimitsModule, NodeHealthStateModule, ProjectsModule],
  providers: [BookableFleet, CapacitySelector],
  exports: [BookableFleet, CapacitySelector],
})
export class SelectionModule {}

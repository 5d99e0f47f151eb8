import { Module } from '@nestjs/common';
import { SelectionModule } from '../leasing/selection/selection.module';
import { AvailabilityController } from './availability.controller';
import { AvailabilityService } from './availability.service';

/** `GET /v1/availability`: when enough matching nodes are free at once. */
@Module({
  imports: [SelectionModule],
  controllers: [AvailabilityController],
  providers: [AvailabilityService],
})
export class AvailabilityModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeaseDegradationEntity } from './lease-degradation.entity';
import { NodeHealth } from './node-health';
import { NodeHealthEntity } from './node-health.entity';
import { NodeHealthRecords } from './node-health-records';

/**
 * Node health as recorded: the read side (NodeHealth) for booking, views and searches, and the
 * writes (NodeHealthRecords) for the manager that records it. Depends on the database only, so
 * every layer above may use it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([NodeHealthEntity, LeaseDegradationEntity])],
  providers: [NodeHealth, NodeHealthRecords],
  exports: [NodeHealth, NodeHealthRecords],
})
export class NodeHealthStateModule {}

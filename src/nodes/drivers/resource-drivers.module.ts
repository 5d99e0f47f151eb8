import { Module } from '@nestjs/common';
import { DummyNodeDriver } from './dummy-node.driver';
import { RESOURCE_DRIVERS, ResourceDriver } from './resource-driver';
import { ResourceDriverRegistry } from './resource-driver.registry';

/**
 * The production resource drivers. The `test_node` driver is not among them: tests add it
 * by overriding RESOURCE_DRIVERS (decisions.md 13).
 */
@Module({
  providers: [
    DummyNodeDriver,
    {
      provide: RESOURCE_DRIVERS,
      useFactory: (dummy: DummyNodeDriver): ResourceDriver[] => [dummy],
      inject: [DummyNodeDriver],
    },
    ResourceDriverRegistry,
  ],
  exports: [ResourceDriverRegistry, DummyNodeDriver],
})
export class ResourceDriversModule {}

import { Module } from '@nestjs/common';
import { DummyNodeDriver } from './dummy-node.driver';
import { IronicClient } from './ironic/ironic-client';
import { IronicNodeDriver } from './ironic/ironic-node.driver';
import { RESOURCE_DRIVERS, ResourceDriver } from './resource-driver';
import { ResourceDriverRegistry } from './resource-driver.registry';

/**
 * The production resource drivers. The `test_node` driver is not among them: tests add it
 * by overriding RESOURCE_DRIVERS (docs/decisions.md, "Drivers").
 */
@Module({
  providers: [
    DummyNodeDriver,
    IronicClient,
    IronicNodeDriver,
    {
      provide: RESOURCE_DRIVERS,
      useFactory: (dummy: DummyNodeDriver, ironic: IronicNodeDriver): ResourceDriver[] => [dummy, ironic],
      inject: [DummyNodeDriver, IronicNodeDriver],
    },
    ResourceDriverRegistry,
  ],
  exports: [ResourceDriverRegistry, DummyNodeDriver, IronicNodeDriver, IronicClient],
})
export class ResourceDriversModule {}

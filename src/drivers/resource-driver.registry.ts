import { Inject, Injectable } from '@nestjs/common';
import { ResourceTypeUnknown } from '../common/errors/esi-leap.exceptions';
import { RESOURCE_DRIVERS, ResourceDriver } from './resource-driver';

/** Maps `resource_type` to its driver; anything unregistered is `ResourceTypeUnknown`. */
@Injectable()
export class ResourceDriverRegistry {
  private readonly drivers: Map<string, ResourceDriver>;

  constructor(@Inject(RESOURCE_DRIVERS) drivers: ResourceDriver[]) {
    this.drivers = new Map(drivers.map((d) => [d.resourceType, d]));
  }

  get(resourceType: string): ResourceDriver {
    const driver = this.drivers.get(resourceType);
    if (!driver) throw new ResourceTypeUnknown({ resource_type: resourceType });
    return driver;
  }

  find(resourceType: string): ResourceDriver | undefined {
    return this.drivers.get(resourceType);
  }
}

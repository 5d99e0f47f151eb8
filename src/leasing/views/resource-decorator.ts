import { Injectable } from '@nestjs/common';
import { ResourceInfo } from '../../drivers/resource-driver';
import { ResourceDriverRegistry } from '../../drivers/resource-driver.registry';

export interface ResourceDecoration {
  readonly resource: string | null;
  readonly resource_class: string | null;
  readonly resource_properties: Record<string, unknown>;
}

export interface ResourceRef {
  readonly resourceType: string;
  readonly resourceUuid: string;
}

/**
 * The resource fields shown on offers and leases. A missing resource shows
 * `unknown-name`/`unknown-class` on single objects and empty strings in lists, as upstream.
 */
@Injectable()
export class ResourceDecorator {
  constructor(private readonly drivers: ResourceDriverRegistry) {}

  async single(ref: ResourceRef): Promise<ResourceDecoration> {
    const driver = this.drivers.find(ref.resourceType);
    const info = driver ? await driver.get(ref.resourceUuid) : null;
    const fallbackName = driver?.staticName(ref.resourceUuid) ?? 'unknown-name';
    return decoration(info, fallbackName, 'unknown-class');
  }

  /** One bulk read per resource type for the whole list. */
  async forList(refs: readonly ResourceRef[]): Promise<(ref: ResourceRef) => ResourceDecoration> {
    const byType = new Map<string, string[]>();
    for (const ref of refs) {
      // Pushed in place: copying the array per row made long lists quadratic.
      const uuids = byType.get(ref.resourceType);
      if (uuids) uuids.push(ref.resourceUuid);
      else byType.set(ref.resourceType, [ref.resourceUuid]);
    }
    const infos = new Map<string, Map<string, ResourceInfo>>();
    await Promise.all(
      [...byType].map(async ([type, uuids]) => {
        const driver = this.drivers.find(type);
        infos.set(type, driver ? await driver.getMany(uuids) : new Map());
      }),
    );
    return (ref) => {
      const info = infos.get(ref.resourceType)?.get(ref.resourceUuid) ?? null;
      const fallbackName = this.drivers.find(ref.resourceType)?.staticName(ref.resourceUuid) ?? '';
      return decoration(info, fallbackName, '');
    };
  }
}

function decoration(info: ResourceInfo | null, fallbackName: string, fallbackClass: string): ResourceDecoration {
  if (!info) return { resource: fallbackName, resource_class: fallbackClass, resource_properties: {} };
  return { resource: info.name, resource_class: info.resourceClass, resource_properties: info.properties };
}

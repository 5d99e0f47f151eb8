import { Inject, Injectable } from '@nestjs/common';
import { NodeNotFound, UnsupportedConsoleType } from '../../common/errors/esi-leap.exceptions';
import { isUuidLike } from '../../common/uuid-like';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import {
  ConsoleEndpoint,
  InventoryNode,
  LeaseHolder,
  NodeHealthReading,
  NodeListFilters,
  ResourceDriver,
  ResourceInfo,
} from '../resource-driver';
import { inParallel } from '../../common/in-parallel';
import { IronicClient, JsonPatchOp } from './ironic-client';
import {
  HEALTH_FIELDS,
  IronicNode,
  isEmptyObject,
  leaseUuidOf,
  LISTED_FIELDS,
  TEARDOWN_STATES,
  toInventoryNode,
  toHealthReading,
  toResourceInfo,
  UNDEPLOY_STATES,
} from './ironic-node';
import { IronicNodeListCache } from './ironic-node-list-cache';

/** Up to this many nodes a health read asks for each node; beyond, one list of the whole fleet is cheaper. */
const HEALTH_READS_ONE_BY_ONE = 20;
/** Single-node reads in flight at once. */
const HEALTH_READS_AT_ONCE = 8;

/**
 * `ironic_node` (upstream `resource_objects/ironic_node.py`): leases are recorded on the Ironic node itself as `lessee`
 * and `properties/lease_uuid`. Single-node reads are always fresh (the manager decides on
 * them); only the full list that decorates offer/lease listings is cached briefly.
 */
@Injectable()
export class IronicNodeDriver implements ResourceDriver {
  readonly resourceType = 'ironic_node';
  private readonly listCache: IronicNodeListCache;

  constructor(
    @Inject(ESI_LEAP_CONFIG) config: EsiLeapConfig,
    private readonly ironic: IronicClient,
  ) {
    this.listCache = new IronicNodeListCache(config.ironic.node_list_cache_ttl * 1000, () =>
      this.ironic.listNodes({}, LISTED_FIELDS),
    );
  }

  async resolveIdent(ident: string): Promise<string> {
    if (isUuidLike(ident)) return ident;
    return (await this.ironic.getNode(ident, ['uuid'])).uuid;
  }

  staticName(): null {
    return null;
  }

  async get(uuid: string): Promise<ResourceInfo | null> {
    const node = await this.fresh(uuid);
    return node ? toResourceInfo(node) : null;
  }

  async getMany(uuids: readonly string[]): Promise<Map<string, ResourceInfo>> {
    const result = new Map<string, ResourceInfo>();
    if (uuids.length === 0) return result;
    const wanted = new Set(uuids);
    for (const node of await this.listCache.get()) {
      if (wanted.has(node.uuid)) result.set(node.uuid, toResourceInfo(node));
    }
    return result;
  }

  /**
   * With the caller's token Ironic decides what the caller sees, never cached. The service's
   * own `recentEnough` list is the node-list cache, filtered here as Ironic would filter it.
   */
  async listNodes(filters: NodeListFilters, userToken: string | null): Promise<InventoryNode[]> {
    if (userToken === null && filters.recentEnough) {
      return (await this.listCache.get())
        .filter(
          (node) =>
            (filters.resourceClass === undefined || node.resource_class === filters.resourceClass) &&
            (filters.owner === undefined || node.owner === filters.owner) &&
            (filters.lessee === undefined || node.lessee === filters.lessee),
        )
        .map(toInventoryNode);
    }
    return (await this.ironic.listNodes(filters, LISTED_FIELDS, userToken)).map(toInventoryNode);
  }

  /** Never cached: health decides what may be booked. A node Ironic does not know is left out. */
  async readHealth(uuids: readonly string[]): Promise<Map<string, NodeHealthReading>> {
    const result = new Map<string, NodeHealthReading>();
    const wanted = new Set(uuids);
    if (wanted.size > HEALTH_READS_ONE_BY_ONE) {
      for (const node of await this.ironic.listNodes({}, HEALTH_FIELDS)) {
        if (wanted.has(node.uuid)) result.set(node.uuid, toHealthReading(node));
      }
      return result;
    }
    await inParallel([...wanted], HEALTH_READS_AT_ONCE, async (uuid) => {
      const node = await this.fresh(uuid, HEALTH_FIELDS);
      if (node) result.set(uuid, toHealthReading(node));
    });
    return result;
  }

  /** One PATCH; `add` replaces an existing member, so repeating it is harmless. */
  async setLease(uuid: string, lease: LeaseHolder): Promise<void> {
    try {
      await this.ironic.patchNode(uuid, [
        { op: 'add', path: '/properties/lease_uuid', value: lease.uuid },
        { op: 'add', path: '/lessee', value: lease.projectId },
      ]);
    } finally {
      this.listCache.invalidate();
    }
  }

  /**
   * Upstream's clean-up (console off, undeploy or VIF detach, then lessee, lease_uuid,
   * instance_info and extra removed; the transition deletes the node's console tokens when it
   * records the outcome), reordered so that `lease_uuid` goes last: a
   * retry after a failure at any step still finds the lease on the node and resumes, each step
   * re-deciding from a fresh read (upstream could not resume a partial clean-up). A node that no longer holds this lease, or is gone
   * from Ironic (upstream then never finished the expiry), is left alone.
   */
  async removeLease(uuid: string, lease: LeaseHolder): Promise<void> {
    try {
      const node = await this.fresh(uuid);
      if (!node || leaseUuidOf(node) !== lease.uuid) return;
      await this.ironic.setConsoleEnabled(uuid, false);
      await this.releaseInstance(node);
      const current = await this.fresh(uuid);
      if (!current || leaseUuidOf(current) !== lease.uuid) return;
      await this.ironic.patchNode(uuid, clearingPatch(current));
    } finally {
      this.listCache.invalidate();
    }
  }

  setConsoleEnabled(uuid: string, enabled: boolean): Promise<void> {
    return this.ironic.setConsoleEnabled(uuid, enabled);
  }

  /** The socat console's TCP address (from `console_info.url`); null while it is off. */
  async consoleEndpoint(uuid: string): Promise<ConsoleEndpoint | null> {
    const console = await this.ironic.getConsole(uuid);
    if (!console.console_enabled || !console.console_info) return null;
    const { type, url } = console.console_info;
    if (type !== 'socat') throw new UnsupportedConsoleType({ console_type: type ?? 'None' });
    const address = url ? new URL(url) : null;
    if (!address || address.protocol !== 'tcp:' || !address.port) return null;
    return { host: address.hostname, port: Number(address.port) };
  }

  /** Undeploy a node the lessee provisioned; otherwise detach the lessee's VIFs. */
  private async releaseInstance(node: IronicNode): Promise<void> {
    const state = node.provision_state ?? '';
    if (UNDEPLOY_STATES.has(state)) {
      // Asynchronous in Ironic; the PATCH that follows waits out the node lock (409 retries).
      await this.ironic.setProvisionState(node.uuid, 'deleted');
    } else if (!TEARDOWN_STATES.has(state)) {
      for (const vif of await this.ironic.listVifs(node.uuid)) await this.ironic.detachVif(node.uuid, vif);
    }
  }

  private async fresh(uuid: string, fields?: readonly string[]): Promise<IronicNode | null> {
    try {
      return await this.ironic.getNode(uuid, fields);
    } catch (err) {
      if (err instanceof NodeNotFound) return null;
      throw err;
    }
  }
}

/** Removes only what is there: removing an absent `properties/lease_uuid` is a 400 in Ironic. */
function clearingPatch(node: IronicNode): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [{ op: 'remove', path: '/properties/lease_uuid' }];
  if (node.lessee) ops.push({ op: 'remove', path: '/lessee' });
  if (!isEmptyObject(node.instance_info)) ops.push({ op: 'remove', path: '/instance_info' });
  if (!isEmptyObject(node.extra)) ops.push({ op: 'remove', path: '/extra' });
  return ops;
}

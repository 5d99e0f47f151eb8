import { NodeNotFound } from '../../src/common/errors/esi-leap.exceptions';
import {
  ConsoleEndpoint,
  InventoryNode,
  LeaseHolder,
  NodeHealthReading,
  NodeListFilters,
  ResourceDriver,
  ResourceInfo,
} from '../../src/drivers/resource-driver';

export interface TestNode {
  name?: string | null;
  owner?: string | null;
  lessee?: string | null;
  leaseUuid?: string | null;
  resourceClass?: string;
  properties?: Record<string, unknown>;
  /** Where the node's serial console listens once enabled (Ironic's socat `console_info.url`). */
  console?: ConsoleEndpoint | null;
  consoleEnabled?: boolean;
  /** Health, as Ironic would report it (node health tests). */
  maintenance?: boolean;
  maintenanceReason?: string | null;
  provisionState?: string;
  fault?: string | null;
}

/**
 * The `test_node` resource type, registered only in tests (docs/decisions.md, "Drivers"): in-memory
 * nodes whose owner, lessee and current lease each test sets, with call recording and
 * injectable failures.
 */
export class TestNodeDriver implements ResourceDriver {
  readonly resourceType = 'test_node';
  readonly nodes = new Map<string, Required<TestNode>>();
  readonly calls: Array<{ op: 'set' | 'remove'; uuid: string; lease: string }> = [];
  private failures = 0;

  add(uuid: string, node: TestNode = {}): void {
    this.nodes.set(uuid, {
      name: node.name ?? `test-node-${uuid}`,
      owner: node.owner ?? null,
      lessee: node.lessee ?? null,
      leaseUuid: node.leaseUuid ?? null,
      resourceClass: node.resourceClass ?? 'fake',
      properties: node.properties ?? {},
      console: node.console ?? null,
      consoleEnabled: node.consoleEnabled ?? false,
      maintenance: node.maintenance ?? false,
      maintenanceReason: node.maintenanceReason ?? null,
      provisionState: node.provisionState ?? 'available',
      fault: node.fault ?? null,
    });
  }

  /** The next `count` setLease/removeLease calls throw. */
  failNext(count = 1): void {
    this.failures = count;
  }

  /** setLease/removeLease on these nodes throw until cleared. */
  readonly failingNodes = new Set<string>();

  async resolveIdent(ident: string): Promise<string> {
    return ident;
  }

  staticName(): null {
    return null;
  }

  async get(uuid: string): Promise<ResourceInfo | null> {
    const node = this.nodes.get(uuid);
    return node ? this.info(uuid, node) : null;
  }

  async getMany(uuids: readonly string[]): Promise<Map<string, ResourceInfo>> {
    const result = new Map<string, ResourceInfo>();
    for (const uuid of uuids) {
      const node = this.nodes.get(uuid);
      if (node) result.set(uuid, this.info(uuid, node));
    }
    return result;
  }

  async listNodes(filters: NodeListFilters): Promise<InventoryNode[]> {
    return [...this.nodes.entries()]
      .map(([uuid, node]) => ({
        ...this.info(uuid, node),
        maintenance: node.maintenance,
        targetProvisionState: null,
        targetPowerState: null,
        hasLeaseUuidKey: node.leaseUuid !== null,
      }))
      .filter((n) => filters.owner === undefined || n.ownerProjectId === filters.owner)
      .filter((n) => filters.lessee === undefined || n.lesseeProjectId === filters.lessee)
      .filter((n) => filters.resourceClass === undefined || n.resourceClass === filters.resourceClass);
  }

  async readHealth(uuids: readonly string[]): Promise<Map<string, NodeHealthReading>> {
    const result = new Map<string, NodeHealthReading>();
    for (const uuid of uuids) {
      const node = this.nodes.get(uuid);
      if (!node) continue;
      result.set(uuid, {
        maintenance: node.maintenance,
        maintenanceReason: node.maintenanceReason,
        provisionState: node.provisionState,
        fault: node.fault,
        owner: node.owner,
        resourceClass: node.resourceClass,
      });
    }
    return result;
  }

  async setLease(uuid: string, lease: LeaseHolder): Promise<void> {
    this.maybeFail(uuid);
    const node = this.nodes.get(uuid);
    if (!node) throw new NodeNotFound({ uuid, resource_type: this.resourceType, err: 'Node not found' });
    node.leaseUuid = lease.uuid;
    node.lessee = lease.projectId;
    this.calls.push({ op: 'set', uuid, lease: lease.uuid });
  }

  async removeLease(uuid: string, lease: LeaseHolder): Promise<void> {
    this.maybeFail(uuid);
    const node = this.nodes.get(uuid);
    if (!node || node.leaseUuid !== lease.uuid) return;
    node.leaseUuid = null;
    node.lessee = null;
    node.consoleEnabled = false;
    this.calls.push({ op: 'remove', uuid, lease: lease.uuid });
  }

  async setConsoleEnabled(uuid: string, enabled: boolean): Promise<void> {
    const node = this.nodes.get(uuid);
    if (!node) throw new NodeNotFound({ uuid, resource_type: this.resourceType, err: 'Node not found' });
    node.consoleEnabled = enabled;
  }

  async consoleEndpoint(uuid: string): Promise<ConsoleEndpoint | null> {
    const node = this.nodes.get(uuid);
    return node?.consoleEnabled ? node.console : null;
  }

  private maybeFail(uuid: string): void {
    if (this.failingNodes.has(uuid)) throw new Error(`injected driver failure on ${uuid}`);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('injected driver failure');
    }
  }

  private info(uuid: string, node: Required<TestNode>): ResourceInfo {
    return {
      uuid,
      name: node.name,
      resourceClass: node.resourceClass,
      properties: node.properties,
      ownerProjectId: node.owner,
      lesseeProjectId: node.lessee,
      leaseUuid: node.leaseUuid,
      provisionState: node.provisionState,
      powerState: 'power off',
    };
  }
}

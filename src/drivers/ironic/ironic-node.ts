import { InventoryNode, NodeHealthReading, ResourceInfo } from '../resource-driver';

/** The Ironic node fields esi-leap reads, as Ironic returns them. */
export interface IronicNode {
  readonly uuid: string;
  readonly name?: string | null;
  readonly owner?: string | null;
  readonly lessee?: string | null;
  readonly resource_class?: string | null;
  readonly properties?: Record<string, unknown> | null;
  readonly provision_state?: string | null;
  readonly target_provision_state?: string | null;
  readonly power_state?: string | null;
  readonly target_power_state?: string | null;
  readonly maintenance?: boolean;
  readonly maintenance_reason?: string | null;
  readonly fault?: string | null;
  readonly instance_info?: Record<string, unknown> | null;
  readonly extra?: Record<string, unknown> | null;
}

/** What lists ask for (`?fields=`): everything shown, nothing only `removeLease` needs. */
export const LISTED_FIELDS = [
  'uuid',
  'name',
  'owner',
  'lessee',
  'resource_class',
  'properties',
  'provision_state',
  'target_provision_state',
  'power_state',
  'target_power_state',
  'maintenance',
] as const;

/** What a health read asks for (`?fields=`). */
export const HEALTH_FIELDS = [
  'uuid',
  'maintenance',
  'maintenance_reason',
  'provision_state',
  'fault',
  'owner',
  'resource_class',
] as const;

/** Provision states upstream tears down with `deleted`… */
const UPSTREAM_UNDEPLOY_STATES = ['active', 'wait call-back', 'deploying', 'deploy failed', 'adopting', 'adopt failed'];
/**
 * …plus the rescue states and `error`, from which Ironic's state machine also accepts `deleted`: there the
 * lessee's instance would otherwise survive the lease, since detaching VIFs does not remove it
 * (upstream detached VIFs only there).
 */
export const UNDEPLOY_STATES: ReadonlySet<string> = new Set([
  ...UPSTREAM_UNDEPLOY_STATES,
  'rescue',
  'rescue wait',
  'rescue failed',
  'unrescue failed',
  'error',
]);

/** A teardown already under way (started by an earlier attempt): nothing to add to it. */
export const TEARDOWN_STATES: ReadonlySet<string> = new Set(['deleting']);

/** `properties` without the keys esi-leap keeps to itself (common/ironic.py get_condensed_properties). */
export function condensedProperties(properties: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const { lease_uuid: _lease, capabilities: _caps, ...rest } = properties ?? {};
  return rest;
}

export function leaseUuidOf(node: IronicNode): string | null {
  const value = node.properties?.lease_uuid;
  return value === undefined || value === null ? null : String(value);
}

/** Upstream's getters: an absent attribute reads as "", a present null stays null. */
function attr(node: IronicNode, key: keyof IronicNode): string | null {
  if (!(key in node)) return '';
  const value = node[key];
  return value === null || value === undefined ? null : String(value);
}

export function toResourceInfo(node: IronicNode): ResourceInfo {
  return {
    uuid: node.uuid,
    name: attr(node, 'name'),
    resourceClass: attr(node, 'resource_class'),
    properties: condensedProperties(node.properties),
    ownerProjectId: attr(node, 'owner'),
    lesseeProjectId: attr(node, 'lessee'),
    leaseUuid: leaseUuidOf(node),
    provisionState: attr(node, 'provision_state'),
    powerState: attr(node, 'power_state'),
  };
}

export function toInventoryNode(node: IronicNode): InventoryNode {
  return {
    ...toResourceInfo(node),
    maintenance: node.maintenance === true,
    targetProvisionState: node.target_provision_state ?? null,
    targetPowerState: node.target_power_state ?? null,
    hasLeaseUuidKey: node.properties != null && 'lease_uuid' in node.properties,
  };
}

export function isEmptyObject(value: Record<string, unknown> | null | undefined): boolean {
  return !value || Object.keys(value).length === 0;
}

export function toHealthReading(node: IronicNode): NodeHealthReading {
  return {
    maintenance: node.maintenance === true,
    maintenanceReason: node.maintenance_reason ?? null,
    provisionState: node.provision_state ?? null,
    fault: node.fault ?? null,
    owner: node.owner ?? null,
    resourceClass: node.resource_class ?? null,
  };
}

/**
 * The resource-driver interface (upstream `esi_leap/resource_objects`), asynchronous and stateless: every call
 * reads the backing store afresh, so a manager decision never rests on a stale copy.
 */
export interface ResourceInfo {
  readonly uuid: string;
  readonly name: string | null;
  readonly resourceClass: string | null;
  /** Properties shown to users (for Ironic: without `lease_uuid` and `capabilities`). */
  readonly properties: Record<string, unknown>;
  readonly ownerProjectId: string | null;
  readonly lesseeProjectId: string | null;
  /** UUID of the lease currently applied to the resource, if any. */
  readonly leaseUuid: string | null;
  readonly provisionState: string | null;
  readonly powerState: string | null;
}

/** A node as `GET /v1/nodes` shows it, before esi-leap's decoration. */
export interface InventoryNode extends ResourceInfo {
  readonly maintenance: boolean;
  readonly targetProvisionState: string | null;
  readonly targetPowerState: string | null;
  /** True when the backing node carries a `lease_uuid` key at all (the key is shown verbatim). */
  readonly hasLeaseUuidKey: boolean;
}

/** What a node's health is judged from (docs/node-health.md), as its backend reports it now. */
export interface NodeHealthReading {
  readonly maintenance: boolean;
  readonly maintenanceReason: string | null;
  readonly provisionState: string | null;
  /** Ironic's `fault` (power failure, clean failure, ...): set by its conductor, null when none. */
  readonly fault: string | null;
  readonly owner: string | null;
  readonly resourceClass: string | null;
}

export interface NodeListFilters {
  readonly resourceClass?: string;
  readonly owner?: string;
  readonly lessee?: string;
  /**
   * A list as old as list decoration's will do: it only proposes candidates that the booking
   * path checks again under its lock (group selection, availability search), or it draws a
   * chart refreshed live (the timeline). The driver may answer from what it read within its
   * list-decoration staleness instead of asking its backend again; a list made with a user's
   * token stays the backend's answer for that token.
   */
  readonly recentEnough?: boolean;
}

/** The lease fields a driver needs to apply or remove a lease. */
export interface LeaseHolder {
  readonly uuid: string;
  readonly projectId: string;
}

/** Where a node's serial console accepts raw TCP (Ironic socat: `console_info.url = tcp://host:port`). */
export interface ConsoleEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface ResourceDriver {
  readonly resourceType: string;
  /** The canonical id for what a client typed (Ironic resolves node names). */
  resolveIdent(ident: string): Promise<string>;
  /** The resource, or null when it does not exist. */
  get(uuid: string): Promise<ResourceInfo | null>;
  /** Why `get` found nothing, in the driver's words (the end of NodeNotFound's message); default "Node not found". */
  notFoundReason?(uuid: string): string;
  /** Bulk read for list decoration: one backend call, not one per row. */
  getMany(uuids: readonly string[]): Promise<Map<string, ResourceInfo>>;
  /** A display name known without any lookup (dummy/test nodes), else null. */
  staticName(uuid: string): string | null;
  setLease(uuid: string, lease: LeaseHolder): Promise<void>;
  removeLease(uuid: string, lease: LeaseHolder): Promise<void>;
  /** Nodes for `GET /v1/nodes`, when the driver has an inventory to list. */
  listNodes?(filters: NodeListFilters, userToken: string | null): Promise<InventoryNode[]>;
  /**
   * The health of each node that exists, fresh from the backend; a node missing from the map
   * does not exist (any more). Drivers without the notion leave it out: their nodes are healthy.
   */
  readHealth?(uuids: readonly string[]): Promise<Map<string, NodeHealthReading>>;
  /** Turns the node's serial console on or off, for drivers whose nodes have one. */
  setConsoleEnabled?(uuid: string, enabled: boolean): Promise<void>;
  /** Where the console proxy connects for this node, or null while its console is off. */
  consoleEndpoint?(uuid: string): Promise<ConsoleEndpoint | null>;
}

export const RESOURCE_DRIVERS = 'RESOURCE_DRIVERS';

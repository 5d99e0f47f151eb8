/** The bodies of the API calls the console makes (see the OpenAPI document at ../docs). */

export interface TimelineOffer {
  readonly uuid: string;
  readonly name: string | null;
  readonly project_id: string;
  readonly project: string;
  readonly lessee_id: string | null;
  readonly lessee: string;
  readonly start_time: string;
  readonly end_time: string;
  readonly status: string;
  readonly parent_lease_uuid: string | null;
  readonly availabilities: readonly (readonly [string, string])[];
}

export interface TimelineLease {
  readonly uuid: string;
  readonly name: string | null;
  readonly project_id: string;
  readonly project: string;
  readonly owner_id: string;
  readonly owner: string;
  readonly purpose: string | null;
  readonly start_time: string;
  readonly end_time: string;
  readonly status: string;
  readonly offer_uuid: string | null;
  readonly parent_lease_uuid: string | null;
  readonly mine: boolean;
  /** Set by a server that tracks node health: the lease's node is unhealthy. */
  readonly degraded?: boolean;
}

export interface BusyWindow {
  readonly start_time: string;
  readonly end_time: string;
}

export interface NodeHealth {
  readonly healthy: boolean;
  readonly flags: readonly string[];
  readonly reason: string | null;
}

export interface TimelineNode {
  readonly uuid: string;
  readonly name: string | null;
  readonly resource_class: string | null;
  readonly properties: Record<string, unknown>;
  readonly owner_id: string | null;
  readonly owner: string;
  readonly owned: boolean;
  /** Null while nothing reports the node's health. */
  readonly health: NodeHealth | null;
  readonly offers: readonly TimelineOffer[];
  readonly leases: readonly TimelineLease[];
  readonly busy: readonly BusyWindow[];
}

export interface Timeline {
  readonly start_time: string;
  readonly end_time: string;
  readonly now: string;
  readonly resource_type: string;
  readonly viewer: { readonly project_id: string | null; readonly project_name: string | null };
  readonly nodes: readonly TimelineNode[];
}

/** A lease as GET /v1/leases shows it (the fields the console reads). */
export interface Lease {
  readonly uuid: string;
  readonly name: string | null;
  readonly project_id: string;
  readonly project: string;
  readonly owner: string;
  readonly resource: string | null;
  readonly resource_uuid: string;
  readonly start_time: string;
  readonly end_time: string;
  readonly status: string;
  readonly purpose: string | null;
}

export interface EsiEvent {
  readonly id: number;
  readonly event_type: string;
}

export interface SignedIn {
  readonly token: string;
  readonly expires_at: string;
  readonly user: { readonly id: string; readonly name: string };
  readonly project: { readonly id: string; readonly name: string };
  readonly roles: readonly string[];
}

/** The "why not" a group request answers when too few nodes are free. */
export interface CapacityReport {
  readonly requested?: number;
  readonly candidates?: number;
  readonly matching?: number;
  readonly free?: number;
  readonly most_excluding?: string | null;
  readonly constraints?: readonly { constraint: string; excluded: number; excluded_only_by_this: number }[];
  readonly earliest_window?: { start_time: string; end_time: string } | null;
}

export interface GroupPlan {
  readonly dry_run: true;
  readonly count: number;
  readonly start_time: string;
  readonly end_time: string;
  readonly resources: readonly { resource_uuid: string; resource?: string | null; offer_uuid?: string | null }[];
}

export interface LeaseGroup {
  readonly uuid: string;
  readonly name: string | null;
  readonly count: number;
  readonly status: string;
  readonly leases: readonly Lease[];
}

export interface AvailabilityWindow {
  readonly start_time: string;
  readonly end_time: string;
  readonly count?: number;
}

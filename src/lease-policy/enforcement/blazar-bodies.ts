import { UtcTime } from '../../common/time';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { ResourceInfo } from '../../drivers/resource-driver';

/** Who the request is for, as Blazar's `format_context` gives it. */
export interface BlazarContext {
  readonly user_id: string | null;
  readonly project_id: string;
  readonly auth_url: string | null;
  readonly region_name: string | null;
}

/** One node of a lease, as a Blazar host allocation. */
export interface BlazarAllocation {
  readonly id: string;
  readonly hypervisor_hostname: string;
  readonly extra: Record<string, unknown>;
}

/** A lease in Blazar's shape: its dates, owner and one host reservation holding its nodes. */
export interface BlazarLease {
  readonly id?: string;
  readonly name: string | null;
  readonly start_date: string;
  readonly end_date: string;
  readonly user_id: string | null;
  readonly project_id: string;
  readonly status?: string;
  readonly reservations: readonly {
    readonly resource_type: 'physical:host';
    readonly min: number;
    readonly max: number;
    readonly hypervisor_properties: string;
    readonly resource_properties: string;
    readonly allocations: readonly BlazarAllocation[];
  }[];
}

/** A node being leased, with what esi-leap knows of its booking. */
export interface LeasedNode {
  readonly resourceType: string;
  readonly resourceUuid: string;
  readonly info: ResourceInfo | null;
  readonly offerUuid?: string | null;
  readonly parentLeaseUuid?: string | null;
}

export interface LeaseFields {
  readonly uuid?: string;
  readonly name: string | null;
  readonly start: UtcTime;
  readonly end: UtcTime;
  readonly userId: string | null;
  readonly projectId: string;
  readonly status?: string;
}

export function blazarContext(config: EsiLeapConfig, userId: string | null, projectId: string): BlazarContext {
  return {
    user_id: userId,
    project_id: projectId,
    auth_url:
      config.keystone_authtoken.www_authenticate_uri ?? config.keystone_authtoken.auth_url ?? config.keystone.auth_url,
    region_name: config.keystone.region_name ?? config.keystone_authtoken.region_name,
  };
}

/**
 * A lease as Blazar's enforcement filters receive it. esi-leap leases hold one node each; a
 * group booked at once is one Blazar lease whose host reservation has every node as an
 * allocation, so a service counting hosts times hours sees what it would for Blazar. The
 * esi-leap specifics (resource type, offer, parent lease, resource class and properties) are
 * in each allocation's `extra`.
 */
export function blazarLease(fields: LeaseFields, nodes: readonly LeasedNode[]): BlazarLease {
  return {
    ...(fields.uuid === undefined ? {} : { id: fields.uuid }),
    name: fields.name,
    start_date: blazarDate(fields.start),
    end_date: blazarDate(fields.end),
    user_id: fields.userId,
    project_id: fields.projectId,
    ...(fields.status === undefined ? {} : { status: fields.status }),
    reservations: [
      {
        resource_type: 'physical:host',
        min: nodes.length,
        max: nodes.length,
        hypervisor_properties: '',
        resource_properties: '',
        allocations: nodes.map(allocation),
      },
    ],
  };
}

function allocation(node: LeasedNode): BlazarAllocation {
  return {
    id: node.resourceUuid,
    hypervisor_hostname: node.info?.name ?? node.resourceUuid,
    extra: {
      ...(node.info?.properties ?? {}),
      resource_class: node.info?.resourceClass ?? null,
      esi_leap_resource_type: node.resourceType,
      offer_uuid: node.offerUuid ?? null,
      parent_lease_uuid: node.parentLeaseUuid ?? null,
    },
  };
}

/** Python's `datetime.isoformat()` of a naive UTC time, as Blazar's JSON encoder writes it. */
export function blazarDate(t: UtcTime): string {
  const iso = t.replace(' ', 'T');
  return iso.endsWith('.000000') ? iso.slice(0, -7) : iso;
}

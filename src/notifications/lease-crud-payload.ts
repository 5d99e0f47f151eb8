import { UtcTime } from '../common/time';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { leaseSnapshot, LeaseSnapshot } from '../leasing/data/lease-snapshots.repository';
import { ResourceInfo } from '../drivers/resource-driver';

/** The lease half of `LeaseCRUDPayload` 1.0, in wire names and formats. */
export interface LeasePayloadFields {
  id: number;
  name: string | null;
  uuid: string;
  project_id: string;
  owner_id: string;
  purpose: string | null;
  resource_type: string;
  resource_uuid: string;
  start_time: string | null;
  end_time: string | null;
  fulfill_time: string | null;
  expire_time: string | null;
  status: string;
  properties: Record<string, unknown>;
  offer_uuid: string | null;
  parent_lease_uuid: string | null;
}

/** The node half, from the resource driver. */
export interface NodePayloadFields {
  node_name: string | null;
  node_uuid: string;
  node_provision_state: string | null;
  node_power_state: string | null;
  node_properties: Record<string, unknown> | null;
}

/** The oslo.versionedobjects primitive of the payload; changes are reset upstream, so no `changes` key. */
export interface LeaseCrudPayload {
  'esi_leap_object.name': 'LeaseCRUDPayload';
  'esi_leap_object.namespace': 'esi_leap';
  'esi_leap_object.version': '1.0';
  'esi_leap_object.data': LeasePayloadFields & NodePayloadFields;
}

/** oslo.versionedobjects DateTimeField: seconds precision and a literal `Z`. */
export function payloadTime(t: UtcTime | null | undefined): string | null {
  return t ? `${t.slice(0, 10)}T${t.slice(11, 19)}Z` : null;
}

export function leasePayloadFields(lease: LeaseEntity): LeasePayloadFields {
  return payloadFromSnapshot(leaseSnapshot(lease));
}

/**
 * The lease half of the payload from the lease as its event kept it. Times are formatted here;
 * `payloadTime` of an already formatted time is that time, so snapshots kept in payload form
 * by an earlier version read the same.
 */
export function payloadFromSnapshot(snapshot: LeaseSnapshot): LeasePayloadFields {
  return {
    ...snapshot,
    start_time: payloadTime(snapshot.start_time as UtcTime | null),
    end_time: payloadTime(snapshot.end_time as UtcTime | null),
    fulfill_time: payloadTime(snapshot.fulfill_time as UtcTime | null),
    expire_time: payloadTime(snapshot.expire_time as UtcTime | null),
  };
}

/**
 * The node as the driver sees it now. A node that no longer exists still gets a payload (its
 * uuid, null states): upstream would fail to build one and drop the notification.
 */
export function nodePayloadFields(resourceUuid: string, node: ResourceInfo | null): NodePayloadFields {
  if (!node) {
    return {
      node_name: null,
      node_uuid: resourceUuid,
      node_provision_state: null,
      node_power_state: null,
      node_properties: null,
    };
  }
  const { lease_uuid: _leaseUuid, ...properties } = node.properties;
  return {
    node_name: node.name,
    node_uuid: node.uuid,
    node_provision_state: node.provisionState,
    node_power_state: node.powerState,
    node_properties: properties,
  };
}

export function leaseCrudPayload(lease: LeasePayloadFields, node: NodePayloadFields): LeaseCrudPayload {
  return {
    'esi_leap_object.name': 'LeaseCRUDPayload',
    'esi_leap_object.namespace': 'esi_leap',
    'esi_leap_object.version': '1.0',
    'esi_leap_object.data': { ...lease, ...node },
  };
}

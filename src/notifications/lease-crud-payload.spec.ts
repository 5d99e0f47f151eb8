import { UtcTime } from '../common/time';
import { LeaseEntity } from '../leasing/data/lease.entity';
import { leaseCrudPayload, leasePayloadFields, nodePayloadFields, payloadTime } from './lease-crud-payload';

const lease = Object.assign(new LeaseEntity(), {
  id: 42,
  name: 'lease-a',
  uuid: '8a6c0000-0000-0000-0000-000000000001',
  projectId: 'lessee-proj',
  ownerId: 'owner-proj',
  purpose: null,
  resourceType: 'ironic_node',
  resourceUuid: '1c2e0000-0000-0000-0000-000000000002',
  startTime: '2025-03-26 14:00:00.000000' as UtcTime,
  endTime: '2025-04-02 14:00:00.250000' as UtcTime,
  fulfillTime: null,
  expireTime: null,
  status: 'created',
  properties: null as unknown as Record<string, unknown>,
  offerUuid: '5d850000-0000-0000-0000-000000000003',
  parentLeaseUuid: null,
});

describe('LeaseCRUDPayload 1.0', () => {
  it('formats datetimes to the second with a literal Z', () => {
    expect(payloadTime('2025-04-02 14:00:00.250000' as UtcTime)).toBe('2025-04-02T14:00:00Z');
    expect(payloadTime(null)).toBeNull();
  });

  it('wraps the 21 fields in the versioned-object primitive, properties null → {}', () => {
    const payload = leaseCrudPayload(
      leasePayloadFields(lease),
      nodePayloadFields(lease.resourceUuid, {
        uuid: lease.resourceUuid,
        name: 'node-17',
        resourceClass: 'baremetal',
        properties: { cpus: 32, lease_uuid: lease.uuid },
        ownerProjectId: 'owner-proj',
        lesseeProjectId: null,
        leaseUuid: lease.uuid,
        provisionState: 'available',
        powerState: 'power off',
      }),
    );
    expect(payload).toEqual({
      'esi_leap_object.name': 'LeaseCRUDPayload',
      'esi_leap_object.namespace': 'esi_leap',
      'esi_leap_object.version': '1.0',
      'esi_leap_object.data': {
        id: 42,
        name: 'lease-a',
        uuid: lease.uuid,
        project_id: 'lessee-proj',
        owner_id: 'owner-proj',
        purpose: null,
        resource_type: 'ironic_node',
        resource_uuid: lease.resourceUuid,
        start_time: '2025-03-26T14:00:00Z',
        end_time: '2025-04-02T14:00:00Z',
        fulfill_time: null,
        expire_time: null,
        status: 'created',
        properties: {},
        offer_uuid: '5d850000-0000-0000-0000-000000000003',
        parent_lease_uuid: null,
        node_name: 'node-17',
        node_uuid: lease.resourceUuid,
        node_provision_state: 'available',
        node_power_state: 'power off',
        node_properties: { cpus: 32 },
      },
    });
  });

  it('still describes a node that no longer exists', () => {
    expect(nodePayloadFields('gone', null)).toEqual({
      node_name: null,
      node_uuid: 'gone',
      node_provision_state: null,
      node_power_state: null,
      node_properties: null,
    });
  });
});

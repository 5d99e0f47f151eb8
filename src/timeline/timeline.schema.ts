import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Output datetimes: naive UTC ISO 8601, fraction only when non-zero, as everywhere in the API. */
const TIME: SchemaObject = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$' };
const TEXT: SchemaObject = { type: 'string' };
const NULLABLE_TEXT: SchemaObject = { type: 'string', nullable: true };

const OFFER: SchemaObject = {
  type: 'object',
  description: 'An offer the caller may see, with its free windows inside the requested window',
  properties: {
    uuid: TEXT,
    name: NULLABLE_TEXT,
    project_id: TEXT,
    project: TEXT,
    lessee_id: NULLABLE_TEXT,
    lessee: TEXT,
    start_time: TIME,
    end_time: TIME,
    status: TEXT,
    parent_lease_uuid: NULLABLE_TEXT,
    availabilities: { type: 'array', items: { type: 'array', items: TIME, minItems: 2, maxItems: 2 } },
  },
  required: ['uuid', 'project_id', 'start_time', 'end_time', 'status', 'availabilities'],
};

const LEASE: SchemaObject = {
  type: 'object',
  description: 'A lease the caller may see in full (esi_leap:lease:get on the lease)',
  properties: {
    uuid: TEXT,
    name: NULLABLE_TEXT,
    project_id: TEXT,
    project: TEXT,
    owner_id: TEXT,
    owner: TEXT,
    purpose: NULLABLE_TEXT,
    start_time: TIME,
    end_time: TIME,
    status: TEXT,
    offer_uuid: NULLABLE_TEXT,
    parent_lease_uuid: NULLABLE_TEXT,
    mine: { type: 'boolean', description: "The caller's project is the lessee" },
  },
  required: ['uuid', 'project_id', 'owner_id', 'start_time', 'end_time', 'status', 'mine'],
};

const BUSY: SchemaObject = {
  type: 'object',
  description: "Other projects' bookings the caller may not see: only when, merged",
  properties: { start_time: TIME, end_time: TIME },
  required: ['start_time', 'end_time'],
  additionalProperties: false,
};

const HEALTH: SchemaObject = {
  type: 'object',
  nullable: true,
  description: 'Null while nothing reports the node’s health',
  properties: {
    healthy: { type: 'boolean' },
    flags: { type: 'array', items: TEXT },
    reason: NULLABLE_TEXT,
  },
  required: ['healthy', 'flags'],
};

const ROW: SchemaObject = {
  type: 'object',
  properties: {
    uuid: TEXT,
    name: NULLABLE_TEXT,
    resource_class: NULLABLE_TEXT,
    properties: { type: 'object', additionalProperties: true },
    owner_id: NULLABLE_TEXT,
    owner: TEXT,
    owned: { type: 'boolean', description: "The caller's project owns the node" },
    health: HEALTH,
    offers: { type: 'array', items: OFFER },
    leases: { type: 'array', items: LEASE },
    busy: { type: 'array', items: BUSY },
  },
  required: ['uuid', 'name', 'owner', 'owned', 'health', 'offers', 'leases', 'busy'],
};

export const TIMELINE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    start_time: TIME,
    end_time: TIME,
    now: TIME,
    resource_type: TEXT,
    viewer: {
      type: 'object',
      properties: { project_id: NULLABLE_TEXT, project_name: NULLABLE_TEXT },
      required: ['project_id', 'project_name'],
    },
    nodes: { type: 'array', items: ROW },
  },
  required: ['start_time', 'end_time', 'now', 'resource_type', 'viewer', 'nodes'],
  example: {
    start_time: '2030-01-01T00:00:00',
    end_time: '2030-01-08T00:00:00',
    now: '2030-01-02T09:30:00',
    resource_type: 'ironic_node',
    viewer: { project_id: '0f9e8d7c6b5a49382716a5b4c3d2e1f0', project_name: 'lessee-project' },
    nodes: [
      {
        uuid: '2f1e0d52-4a4c-4c8e-9b4c-6a7b1f0e5d21',
        name: 'node-3',
        resource_class: 'baremetal',
        properties: { cpus: 32, memory_mb: 131072 },
        owner_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
        owner: 'owner-project',
        owned: false,
        health: null,
        offers: [
          {
            uuid: '9c8b7a65-1d2e-4f30-8a91-b2c3d4e5f607',
            name: null,
            project_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
            project: 'owner-project',
            lessee_id: null,
            lessee: '',
            start_time: '2029-12-01T00:00:00',
            end_time: '2030-03-01T00:00:00',
            status: 'available',
            parent_lease_uuid: null,
            availabilities: [
              ['2030-01-02T09:30:00', '2030-01-03T00:00:00'],
              ['2030-01-05T00:00:00', '2030-01-08T00:00:00'],
            ],
          },
        ],
        leases: [
          {
            uuid: '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716',
            name: 'my-experiment',
            project_id: '0f9e8d7c6b5a49382716a5b4c3d2e1f0',
            project: 'lessee-project',
            owner_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
            owner: 'owner-project',
            purpose: 'benchmarks',
            start_time: '2030-01-03T00:00:00',
            end_time: '2030-01-04T00:00:00',
            status: 'created',
            offer_uuid: '9c8b7a65-1d2e-4f30-8a91-b2c3d4e5f607',
            parent_lease_uuid: null,
            mine: true,
          },
        ],
        busy: [{ start_time: '2030-01-04T00:00:00', end_time: '2030-01-05T00:00:00' }],
      },
    ],
  },
};

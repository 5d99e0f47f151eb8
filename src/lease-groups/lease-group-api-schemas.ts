import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { LEASE_SCHEMA } from '../ops/openapi/api-schemas';
import { LARGEST_GROUP } from './dto/lease-group-body';

const TIME: SchemaObject = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$' };
const INPUT_TIME: SchemaObject = {
  type: 'string',
  nullable: true,
  description: 'ISO 8601; a value with an offset is converted to UTC, one without is UTC',
};
const COUNT: SchemaObject = { type: 'integer', nullable: true, description: `1 to ${LARGEST_GROUP}` };
const GROUP_UUID = '3b2a1908-7f6e-4d5c-8b4a-392817160504';
const LESSEE = '0f9e8d7c6b5a49382716a5b4c3d2e1f0';

export const NEW_LEASE_GROUP_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    count: {
      ...COUNT,
      description: `How many leases to book, all or none (1 to ${LARGEST_GROUP}); or min_count/max_count`,
    },
    min_count: { ...COUNT, description: 'At least this many (default 1 when max_count is given)' },
    max_count: { ...COUNT, description: 'At most this many, when more are free (default min_count)' },
    from: {
      type: 'string',
      nullable: true,
      enum: ['offers', 'owned', null],
      description:
        "`offers` (default): claim offers the caller may claim; `owned`: lease resources the caller's project " +
        'owns directly (needs esi_leap:lease:create)',
    },
    resource_class: { type: 'string', nullable: true },
    constraints: {
      type: 'array',
      nullable: true,
      items: { type: 'string' },
      description: 'Property constraints, all of which must hold (docs/constraints.md)',
    },
    start_time: { ...INPUT_TIME, description: 'Default: now' },
    end_time: { ...INPUT_TIME, description: 'Default: start_time plus [api] default_lease_time days' },
    name: { type: 'string', nullable: true, description: "The group's name, also every lease's" },
    purpose: { type: 'string', nullable: true },
    properties: { type: 'object', nullable: true, additionalProperties: true },
    dry_run: {
      type: 'boolean',
      nullable: true,
      description: 'true: answer which resources would be booked; book nothing',
    },
  },
  additionalProperties: false,
  example: {
    count: 4,
    resource_class: 'baremetal',
    constraints: ['cpus>=32', 'memory_mb>=65536'],
    start_time: '2030-02-01T00:00:00',
    end_time: '2030-02-08T00:00:00',
    name: 'ci-cluster',
  },
};

export const LEASE_GROUP_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    name: { type: 'string', nullable: true },
    project_id: { type: 'string' },
    count: { type: 'integer', description: 'The leases still booked (a lease cancelled on its own leaves the group)' },
    start_time: TIME,
    end_time: TIME,
    status: { type: 'string', enum: ['active', 'cancelled'] },
    leases: { type: 'array', items: LEASE_SCHEMA, description: 'Each as GET /v1/leases/{ident} shows it' },
  },
  required: ['uuid', 'name', 'project_id', 'count', 'start_time', 'end_time', 'status', 'leases'],
  example: {
    uuid: GROUP_UUID,
    name: 'ci-cluster',
    project_id: LESSEE,
    count: 1,
    start_time: '2030-02-01T00:00:00',
    end_time: '2030-03-01T00:00:00',
    status: 'active',
    leases: [LEASE_SCHEMA.example],
  },
};

export const LEASE_GROUP_PLAN_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'A dry run: what a booking would take now',
  properties: {
    dry_run: { type: 'boolean', enum: [true] },
    count: { type: 'integer' },
    start_time: TIME,
    end_time: TIME,
    resources: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          resource_uuid: { type: 'string' },
          resource: { type: 'string', nullable: true },
          offer_uuid: { type: 'string', nullable: true },
        },
        required: ['resource_uuid', 'resource', 'offer_uuid'],
      },
    },
  },
  required: ['dry_run', 'count', 'start_time', 'end_time', 'resources'],
  example: {
    dry_run: true,
    count: 2,
    start_time: '2030-02-01T00:00:00',
    end_time: '2030-02-08T00:00:00',
    resources: [
      {
        resource_uuid: '9c8b7a65-1d2e-4f30-8a91-b2c3d4e5f607',
        resource: 'node-3',
        offer_uuid: '2f1e0d52-4a4c-4c8e-9b4c-6a7b1f0e5d21',
      },
      {
        resource_uuid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        resource: 'node-4',
        offer_uuid: '6d5c4b3a-2918-4e7d-9c6b-5a4938271605',
      },
    ],
  },
};

/** A 409 of a request that cannot be met: the fault body and the facts behind it. */
export const INSUFFICIENT_CAPACITY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    faultcode: { type: 'string', enum: ['Client'] },
    faultstring: { type: 'string' },
    debuginfo: { type: 'string', nullable: true },
    capacity: {
      type: 'object',
      properties: {
        requested: { type: 'integer' },
        candidates: { type: 'integer', description: 'Resources the caller could book at all' },
        matching: { type: 'integer', description: 'Of those, matching every constraint' },
        free: { type: 'integer', description: 'Of those, free for the whole window' },
        most_excluding: { type: 'string', nullable: true },
        constraints: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              constraint: { type: 'string' },
              excluded: { type: 'integer' },
              excluded_only_by_this: { type: 'integer' },
            },
          },
        },
        earliest_window: {
          type: 'object',
          nullable: true,
          properties: { start_time: TIME, end_time: TIME },
        },
      },
    },
  },
  required: ['faultcode', 'faultstring', 'debuginfo'],
  example: {
    faultcode: 'Client',
    faultstring:
      'Only 2 of 3 requested nodes are free from 2030-02-01T00:00:00 to 2030-02-02T00:00:00: 2 match the constraints ' +
      "(of 3 you can book; 'cpus>=32' excluded 1). No window of that length has 3 free within 90 days.",
    debuginfo: null,
    capacity: {
      requested: 3,
      candidates: 3,
      matching: 2,
      free: 2,
      most_excluding: 'cpus>=32',
      constraints: [{ constraint: 'cpus>=32', excluded: 1, excluded_only_by_this: 1 }],
      earliest_window: null,
    },
  },
};

export const LEASE_GROUP_PATCH_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { end_time: { type: 'string', description: 'Exactly YYYY-MM-DDTHH:MM:SS, UTC' } },
  required: ['end_time'],
  additionalProperties: false,
  example: { end_time: '2030-02-15T00:00:00' },
};

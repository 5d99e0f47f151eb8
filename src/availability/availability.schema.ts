import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Output datetimes: naive UTC ISO 8601, fraction only when non-zero, as everywhere in the API. */
const TIME: SchemaObject = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$' };

const RESOURCE: SchemaObject = {
  type: 'object',
  properties: {
    resource_uuid: { type: 'string' },
    resource: { type: 'string', nullable: true, description: "The node's name, when its driver has one" },
    offer_uuid: {
      type: 'string',
      nullable: true,
      description: 'The offer a claim would take; null for a node booked directly (source=owned)',
    },
  },
  required: ['resource_uuid', 'resource', 'offer_uuid'],
};

const WINDOW: SchemaObject = {
  type: 'object',
  properties: {
    start_time: { ...TIME, description: 'The earliest start of this period of availability' },
    end_time: { ...TIME, description: 'start_time + duration' },
    latest_start: { ...TIME, description: 'The count stays free for any start up to this one' },
    count: { type: 'integer', description: 'How many matching nodes are free for [start_time, end_time)' },
    resources: { type: 'array', items: RESOURCE },
  },
  required: ['start_time', 'end_time', 'latest_start', 'count', 'resources'],
};

export const AVAILABILITY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { windows: { type: 'array', items: WINDOW } },
  required: ['windows'],
  example: {
    windows: [
      {
        start_time: '2030-04-02T06:00:00',
        end_time: '2030-04-05T06:00:00',
        latest_start: '2030-04-03T00:00:00',
        count: 2,
        resources: [
          {
            resource_uuid: '1718f9b1-3cbd-4d7b-9a8b-4b1f2b2b6f10',
            resource: 'gpu-07',
            offer_uuid: '3f0c6c1e-5b6c-4f43-8d83-0b2b5a9f6a11',
          },
          {
            resource_uuid: '9a3c1d2e-7f54-4b1a-b8c4-2e7e5d1c0b22',
            resource: 'gpu-12',
            offer_uuid: 'b7d2a4f0-1c3e-4e6a-9f1b-5c8d7e6f5a33',
          },
        ],
      },
    ],
  },
};

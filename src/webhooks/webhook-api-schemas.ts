import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const TIME: SchemaObject = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$' };
const NULLABLE_TIME: SchemaObject = { ...TIME, nullable: true };
const EVENT_TYPES: SchemaObject = {
  type: 'array',
  items: { type: 'string', description: 'An event type, a prefix ending in `.*`, or `*`' },
  minItems: 1,
};

export const NEW_WEBHOOK_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    url: { type: 'string', description: 'http or https URL on a public address' },
    event_types: EVENT_TYPES,
    secret: { type: 'string', description: 'Signing secret, 16 to 255 characters; generated when omitted' },
  },
  required: ['url', 'event_types'],
  additionalProperties: false,
  example: {
    url: 'https://hooks.example.com/esi-leap',
    event_types: ['esi_leap.lease.end_soon', 'esi_leap.lease.fulfill.*'],
  },
};

const WEBHOOK_PROPERTIES: Record<string, SchemaObject> = {
  uuid: { type: 'string' },
  project_id: { type: 'string' },
  url: { type: 'string' },
  event_types: EVENT_TYPES,
  created_at: TIME,
};
const WEBHOOK_EXAMPLE = {
  uuid: '7d3b0f5c-2e6a-4c1b-9f0e-8a7d6c5b4a39',
  project_id: '0f9e8d7c6b5a49382716a5b4c3d2e1f0',
  url: 'https://hooks.example.com/esi-leap',
  event_types: ['esi_leap.lease.end_soon'],
  created_at: '2030-01-01T00:00:00',
};

export const WEBHOOK_SCHEMA: SchemaObject = {
  type: 'object',
  properties: WEBHOOK_PROPERTIES,
  required: Object.keys(WEBHOOK_PROPERTIES),
  additionalProperties: false,
  example: WEBHOOK_EXAMPLE,
};

/** The answer to a creation: the only time the signing secret is shown. */
export const CREATED_WEBHOOK_SCHEMA: SchemaObject = {
  ...WEBHOOK_SCHEMA,
  properties: { ...WEBHOOK_PROPERTIES, secret: { type: 'string' } },
  required: [...Object.keys(WEBHOOK_PROPERTIES), 'secret'],
  example: { ...WEBHOOK_EXAMPLE, secret: 'Yq3v0V2m6mJm3cX8m0hZr0m1l4T1o2Xc5cJ7w8f9g0A' },
};

export const WEBHOOK_DELIVERY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    event_id: { type: 'integer' },
    event_type: { type: 'string', nullable: true },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' },
    created_at: TIME,
    last_attempt_at: NULLABLE_TIME,
    next_attempt_at: NULLABLE_TIME,
    last_status_code: { type: 'integer', nullable: true },
    last_error: { type: 'string', nullable: true },
    response_excerpt: { type: 'string', nullable: true, description: 'The first 255 characters of the last answer' },
    finished_at: NULLABLE_TIME,
  },
  required: ['event_id', 'status', 'attempts'],
  additionalProperties: false,
  example: {
    event_id: 42,
    event_type: 'esi_leap.lease.end_soon',
    status: 'pending',
    attempts: 2,
    created_at: '2030-01-01T00:00:00',
    last_attempt_at: '2030-01-01T00:00:10',
    next_attempt_at: '2030-01-01T00:00:30',
    last_status_code: 503,
    last_error: 'answered HTTP 503',
    response_excerpt: 'Service Unavailable',
    finished_at: null,
  },
};

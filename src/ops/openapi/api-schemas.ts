/**
 * JSON schemas (OpenAPI 3.0 subset: type, nullable, properties, required, items, enum, pattern,
 * additionalProperties) of the API's bodies, for the `/docs` document. Entity schemas are built
 * from the same attribute tables the request validation uses, so they cannot drift apart; each
 * carries an `example` that test/ops/openapi.e2e-spec.ts validates against it.
 */
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { LeaseStatus, OfferStatus } from '../../leasing/data/statuses';
import type { AttributeSpec } from '../../common/http/request-body';
import { CLAIM_ATTRIBUTES, LEASE_ATTRIBUTES } from '../../leases/dto/lease-body';
import { OFFER_ATTRIBUTES } from '../../offers/dto/offer-body';
import { withLeaseHealth } from './node-health-schemas';

/** Output datetimes are naive UTC ISO 8601, fraction only when non-zero (docs/decisions.md, "Time"). */
const NAIVE_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$';
const OUTPUT_TIME: SchemaObject = { type: 'string', pattern: NAIVE_UTC, nullable: true };
const INPUT_TIME: SchemaObject = {
  type: 'string',
  nullable: true,
  description: 'ISO 8601; a value with an offset is converted to UTC, one without is UTC',
};

const UUID_1 = '2f1e0d52-4a4c-4c8e-9b4c-6a7b1f0e5d21';
const UUID_2 = '9c8b7a65-1d2e-4f30-8a91-b2c3d4e5f607';
const UUID_3 = '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';
const OWNER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const LESSEE = '0f9e8d7c6b5a49382716a5b4c3d2e1f0';

/** keystonemiddleware's refusal, answered before esi-leap sees the request. */
export const UNAUTHORIZED_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'integer' }, title: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'title', 'message'],
    },
  },
  required: ['error'],
  example: {
    error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
  },
};

export const FAULT_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Every error: `Client` for 4xx, `Server` for 5xx; faultstring is the esi-leap message',
  properties: {
    faultcode: { type: 'string', enum: ['Client', 'Server'] },
    faultstring: { type: 'string' },
    debuginfo: { type: 'string', nullable: true },
  },
  required: ['faultcode', 'faultstring', 'debuginfo'],
  additionalProperties: false,
  example: { faultcode: 'Client', faultstring: `Offer with name or uuid ${UUID_1} not found.`, debuginfo: null },
};

/** What each attribute holds on output, beyond its declared input type. */
const OUTPUT_OVERRIDES: Record<string, SchemaObject> = {
  uuid: { type: 'string' },
  status: { type: 'string' },
  availabilities: {
    type: 'array',
    description: 'Free [start, end] windows of an available offer',
    items: { type: 'array', items: { type: 'string', pattern: NAIVE_UTC }, minItems: 2, maxItems: 2 },
  },
  resource_properties: { type: 'object', nullable: true, additionalProperties: true },
  properties: { type: 'object', nullable: true, additionalProperties: true },
};

function outputSchemaOf(attributes: readonly AttributeSpec[], example: Record<string, unknown>): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  for (const attr of attributes) {
    properties[attr.name] =
      OUTPUT_OVERRIDES[attr.name] ??
      (attr.type === 'datetime'
        ? OUTPUT_TIME
        : attr.type === 'object'
          ? { type: 'object', nullable: true, additionalProperties: true }
          : { type: 'string', nullable: true });
  }
  return { type: 'object', properties, required: attributes.map((a) => a.name), example };
}

/** A request body: writable (and ignored) attributes; unknown or read-only keys are refused with a 400. */
function bodySchemaOf(attributes: readonly AttributeSpec[], example: Record<string, unknown>): SchemaObject {
  const writable = attributes.filter((a) => a.access !== 'R');
  const properties: Record<string, SchemaObject> = {};
  for (const attr of writable) {
    const schema: SchemaObject =
      attr.type === 'datetime'
        ? INPUT_TIME
        : attr.type === 'object'
          ? { type: 'object', nullable: true, additionalProperties: true }
          : { type: 'string', nullable: true };
    properties[attr.name] = attr.mandatory ? { ...schema, nullable: false } : schema;
  }
  const required = writable.filter((a) => a.mandatory).map((a) => a.name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false, example };
}

export function listOf(key: string, item: SchemaObject): SchemaObject {
  return {
    type: 'object',
    properties: { [key]: { type: 'array', items: item } },
    required: [key],
    example: { [key]: [item.example] },
  };
}

/**
 * A list that pages (ours): with `limit`, a `next` key after the list holds the URL of the
 * following page while rows remain.
 */
export function pagedListOf(key: string, item: SchemaObject, nextExample: string): SchemaObject {
  const list = listOf(key, item);
  return {
    ...list,
    properties: {
      ...list.properties,
      next: {
        type: 'string',
        format: 'uri',
        description:
          'Only with `limit`, and only while more rows follow: this request with `marker` set to the last row shown.',
      },
    },
    example: { ...(list.example as object), next: nextExample },
  };
}

export const OFFER_SCHEMA = outputSchemaOf(OFFER_ATTRIBUTES, {
  name: 'rack1-node3',
  uuid: UUID_1,
  project_id: OWNER,
  project: 'owner-project',
  lessee_id: null,
  lessee: '',
  resource_type: 'ironic_node',
  resource_uuid: UUID_2,
  resource: 'node-3',
  resource_class: 'baremetal',
  resource_properties: { cpus: '40' },
  start_time: '2030-01-01T00:00:00',
  end_time: '2030-06-30T00:00:00',
  status: OfferStatus.AVAILABLE,
  properties: {},
  availabilities: [['2030-01-01T00:00:00', '2030-06-30T00:00:00']],
  parent_lease_uuid: null,
});

export const NEW_OFFER_SCHEMA = bodySchemaOf(OFFER_ATTRIBUTES, {
  resource_uuid: 'node-3',
  resource_type: 'ironic_node',
  start_time: '2030-01-01T00:00:00',
  end_time: '2030-06-30T00:00:00',
  lessee_id: LESSEE,
});

const UPSTREAM_LEASE_SCHEMA = outputSchemaOf(LEASE_ATTRIBUTES, {
  name: null,
  uuid: UUID_3,
  project_id: LESSEE,
  project: 'lessee-project',
  owner_id: OWNER,
  owner: 'owner-project',
  resource_type: 'ironic_node',
  resource_uuid: UUID_2,
  resource_class: 'baremetal',
  resource_properties: {},
  resource: 'node-3',
  start_time: '2030-02-01T00:00:00',
  fulfill_time: null,
  expire_time: null,
  end_time: '2030-03-01T00:00:00',
  status: LeaseStatus.CREATED,
  properties: {},
  purpose: 'ci runners',
  offer_uuid: UUID_1,
  parent_lease_uuid: null,
});

export const LEASE_SCHEMA = withLeaseHealth(UPSTREAM_LEASE_SCHEMA);

export const NEW_LEASE_SCHEMA = bodySchemaOf(LEASE_ATTRIBUTES, {
  project_id: LESSEE,
  resource_uuid: 'node-3',
  start_time: '2030-02-01T00:00:00',
  end_time: '2030-03-01T00:00:00',
});

export const CLAIM_SCHEMA = bodySchemaOf(CLAIM_ATTRIBUTES, {
  start_time: '2030-02-01T00:00:00',
  end_time: '2030-03-01T00:00:00',
  purpose: 'ci runners',
});

export const LEASE_PATCH_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { end_time: { ...INPUT_TIME, nullable: false } },
  required: ['end_time'],
  additionalProperties: false,
  example: { end_time: '2030-04-01T00:00:00' },
};

export const NODE_SCHEMA: SchemaObject = {
  type: 'object',
  description: '`offer_uuid` and `lease_uuid` are omitted, not null, when not applicable',
  properties: {
    name: { type: 'string', nullable: true },
    owner: { type: 'string' },
    maintenance: { type: 'string', enum: ['True', 'False'] },
    provision_state: { type: 'string', nullable: true },
    target_provision_state: { type: 'string', nullable: true },
    power_state: { type: 'string', nullable: true },
    target_power_state: { type: 'string', nullable: true },
    properties: { type: 'object', additionalProperties: true },
    resource_class: { type: 'string', nullable: true },
    uuid: { type: 'string' },
    offer_uuid: { type: 'string' },
    lease_uuid: { type: 'string', nullable: true },
    lessee: { type: 'string' },
    future_offers: { type: 'array', items: { type: 'string' } },
    future_leases: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'owner', 'maintenance', 'uuid', 'lessee', 'future_offers', 'future_leases'],
  example: {
    name: 'node-3',
    owner: 'owner-project',
    maintenance: 'False',
    provision_state: 'available',
    target_provision_state: null,
    power_state: 'power off',
    target_power_state: null,
    properties: { cpus: '40' },
    resource_class: 'baremetal',
    uuid: UUID_2,
    offer_uuid: UUID_1,
    lessee: '',
    future_offers: [],
    future_leases: [],
  },
};

export const EVENT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    event_type: { type: 'string' },
    event_time: { type: 'string', pattern: NAIVE_UTC },
    object_type: { type: 'string', nullable: true },
    object_uuid: { type: 'string', nullable: true },
    resource_type: { type: 'string', nullable: true },
    resource_uuid: { type: 'string', nullable: true },
    lessee_id: { type: 'string', nullable: true },
    owner_id: { type: 'string', nullable: true },
  },
  required: ['id', 'event_type', 'event_time', 'object_type', 'object_uuid', 'resource_type', 'resource_uuid', 'lessee_id', 'owner_id'],
  additionalProperties: false,
  example: {
    id: 42,
    event_type: 'esi_leap.lease.fulfill.end',
    event_time: '2030-02-01T00:00:01.204511',
    object_type: 'lease',
    object_uuid: UUID_3,
    resource_type: 'ironic_node',
    resource_uuid: UUID_2,
    lessee_id: LESSEE,
    owner_id: OWNER,
  },
};

export const NEW_CONSOLE_TOKEN_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Other keys are ignored',
  properties: {
    node_uuid_or_name: { type: 'string' },
    token_ttl: { type: 'integer', description: 'Seconds; default [serialconsoleproxy] token_ttl; must be > 0' },
  },
  required: ['node_uuid_or_name'],
  example: { node_uuid_or_name: 'node-3', token_ttl: 600 },
};

export const CONSOLE_TOKEN_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { node_uuid: { type: 'string' }, token: { type: 'string' }, access_url: { type: 'string' } },
  required: ['node_uuid', 'token', 'access_url'],
  additionalProperties: false,
  example: {
    node_uuid: UUID_2,
    token: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    access_url: 'ws://console.example.org:6083/?token=7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  },
};

const VERSION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    links: {
      type: 'array',
      items: { type: 'object', properties: { href: { type: 'string' }, rel: { type: 'string' } }, required: ['href', 'rel'] },
    },
    status: { type: 'string' },
    min_version: { type: 'string' },
    version: { type: 'string' },
  },
  required: ['id', 'links', 'status', 'min_version', 'version'],
};

const VERSION_EXAMPLE = {
  id: 'v1',
  links: [{ href: 'http://esi-leap.example.org:7777/v1', rel: 'self' }],
  status: 'CURRENT',
  min_version: '1.0',
  version: '1.0',
};

export const ROOT_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    default_version: VERSION_SCHEMA,
    versions: { type: 'array', items: VERSION_SCHEMA },
  },
  required: ['name', 'description', 'default_version', 'versions'],
  example: {
    name: 'ESI Leap API',
    description: 'ESI Leap is an OpenStack service for leasing baremetal nodes, designed to run on top of multi-tenant Ironic.',
    default_version: VERSION_EXAMPLE,
    versions: [VERSION_EXAMPLE],
  },
};

export const V1_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, status: { type: 'string' }, links: VERSION_SCHEMA.properties!.links },
        required: ['id', 'status', 'links'],
      },
    },
  },
  required: ['versions'],
  example: {
    versions: [{ id: 'v1.0', status: 'CURRENT', links: [{ href: 'http://esi-leap.example.org:7777/v1', rel: 'self' }] }],
  },
};

const CHECK_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'failing'] } },
  required: ['status'],
  additionalProperties: true,
};

export const HEALTH_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'failing'] },
    checks: {
      type: 'object',
      description: 'Only the checks that apply to this process',
      properties: {
        database: CHECK_SCHEMA,
        notifications: CHECK_SCHEMA,
        manager: CHECK_SCHEMA,
        keystone: CHECK_SCHEMA,
        ironic: CHECK_SCHEMA,
      },
      additionalProperties: false,
    },
    failing: {
      type: 'array',
      items: { type: 'string', enum: ['database', 'notifications', 'manager', 'keystone', 'ironic'] },
    },
  },
  required: ['status', 'checks', 'failing'],
  additionalProperties: false,
  example: {
    status: 'failing',
    checks: {
      database: { status: 'ok', duration_ms: 1.42 },
      notifications: { status: 'failing', state: 'disconnected' },
      manager: {
        status: 'ok',
        last_run_finished_at: '2030-02-01T00:00:04.120000',
        last_run_age_seconds: 3.2,
        max_age_seconds: 90,
      },
    },
    failing: ['notifications'],
  },
};

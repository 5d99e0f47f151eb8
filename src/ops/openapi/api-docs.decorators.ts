import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { FAULT_SCHEMA, UNAUTHORIZED_SCHEMA } from './api-schemas';

type QueryParamType = 'string' | 'strings' | 'datetime' | 'int';

const QUERY_SCHEMAS: Record<QueryParamType, SchemaObject> = {
  string: { type: 'string' },
  strings: { type: 'array', items: { type: 'string' } },
  datetime: { type: 'string', description: 'ISO 8601' },
  int: { type: 'integer' },
};

/** What each error status means on this API (docs/decisions.md, "Statuses and errors"). */
const FAULTS: Record<number, string> = {
  400: 'Invalid input: unknown or malformed query argument or body attribute, bad time range',
  403: 'Denied by policy, or a time window outside what the caller may use',
  404: 'No such offer, lease or resource',
  409: 'Conflicts with an existing offer or lease, or not in a state that allows it',
  503: 'The database is unavailable',
};

/** Our additions to the list parameters (docs/api-lists.md), described where they appear. */
const QUERY_DOCS: Readonly<Record<string, { description: string; example?: unknown }>> = {
  constraint: {
    description:
      'ours: a property constraint (docs/constraints.md), repeatable, ANDed. Offers and leases are matched on ' +
      '`resource_properties`, nodes on `properties`. A malformed one is a 400 naming it.',
    example: ['cpus>=64', 'gpu==a100|h100'],
  },
  limit: {
    description:
      'ours: at most this many rows (at least 1; above `[api] max_limit` lowered to it). While more rows follow, ' +
      'the body gets a `next` key with the URL of the next page.',
    example: 100,
  },
  marker: {
    description:
      'ours: the last row of the previous page (a uuid; for events, an event id); the list starts after it. ' +
      'A marker naming no row is a 400.',
  },
};

/**
 * The fixed query parameter set of a list endpoint (the same table `parseQuery` enforces; any
 * other parameter is a 400).
 */
export function ApiQueryParams(params: Readonly<Record<string, QueryParamType>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(params).map(([name, type]) =>
      ApiQuery({
        name,
        required: false,
        schema: QUERY_SCHEMAS[type],
        ...(type === 'strings' ? { style: 'form', explode: true } : {}),
        ...QUERY_DOCS[name],
      }),
    ),
  );
}

/**
 * `constraint=` on a route whose other parameters are not a fixed list table (the timeline,
 * the availability search): node properties, repeatable, ANDed.
 */
export function ApiConstraintQuery(): MethodDecorator {
  return ApiQuery({
    name: 'constraint',
    required: false,
    schema: { type: 'array', items: { type: 'string' } },
    style: 'form',
    explode: true,
    description: 'A property constraint such as cpus>=16 (docs/constraints.md); repeat to AND several',
  });
}

export function ApiJsonBody(schema: SchemaObject, description?: string): MethodDecorator {
  return ApiBody({ schema, description, required: true });
}

export function ApiJsonResponse(status: number, description: string, schema: SchemaObject): MethodDecorator {
  return ApiResponse({ status, description, schema });
}

/**
 * The error answers of a `/v1` endpoint: the `{faultcode, faultstring, debuginfo}` body for the
 * statuses given plus 400 and 403, which every endpoint can answer, and Keystone's 401.
 */
export function ApiFaults(...statuses: number[]): MethodDecorator {
  const all = [...new Set([400, 403, ...statuses, 503])].sort();
  return applyDecorators(
    ApiResponse({
      status: 401,
      description: 'Missing or invalid X-Auth-Token (Keystone)',
      schema: UNAUTHORIZED_SCHEMA,
    }),
    ...all.map((status) => ApiResponse({ status, description: FAULTS[status], schema: FAULT_SCHEMA })),
  );
}

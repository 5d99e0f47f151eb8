import { createTestApp, TestApp } from '../support/test-app';

type Schema = {
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  pattern?: string;
  example?: unknown;
};

/** The JSON Schema subset api-schemas.ts uses; returns the paths of the values that do not fit. */
function violations(schema: Schema, value: unknown, at = '$'): string[] {
  if (value === null) return schema.nullable ? [] : [`${at}: null not allowed`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in enum`];
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string`];
      return schema.pattern && !new RegExp(schema.pattern).test(value)
        ? [`${at}: does not match ${schema.pattern}`]
        : [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
    case 'array': {
      if (!Array.isArray(value)) return [`${at}: not an array`];
      const size =
        (schema.minItems !== undefined && value.length < schema.minItems) ||
        (schema.maxItems !== undefined && value.length > schema.maxItems)
          ? [`${at}: ${value.length} items`]
          : [];
      return [
        ...size,
        ...value.flatMap((item, i) => (schema.items ? violations(schema.items, item, `${at}[${i}]`) : [])),
      ];
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      const record = value as Record<string, unknown>;
      const missing = (schema.required ?? []).filter((key) => !(key in record)).map((key) => `${at}.${key}: missing`);
      const extra = Object.keys(record).flatMap((key) => {
        const property = schema.properties?.[key];
        if (property) return violations(property, record[key], `${at}.${key}`);
        if (schema.additionalProperties === false) return [`${at}.${key}: not allowed`];
        return typeof schema.additionalProperties === 'object'
          ? violations(schema.additionalProperties, record[key], `${at}.${key}`)
          : [];
      });
      return [...missing, ...extra];
    }
    default:
      return [`${at}: schema without a type`];
  }
}

/** Every schema object in the document that carries an example, with where it sits. */
function schemasWithExamples(node: unknown, at: string, found: Array<[string, Schema]> = []): Array<[string, Schema]> {
  if (node === null || typeof node !== 'object') return found;
  const record = node as Record<string, unknown>;
  if ('example' in record && 'type' in record) found.push([at, record as Schema]);
  for (const [key, child] of Object.entries(record))
    if (key !== 'example') schemasWithExamples(child, `${at}/${key}`, found);
  return found;
}

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

describe('OpenAPI document at /docs-json', () => {
  let t: TestApp;
  let document: {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
    >;
  };

  beforeAll(async () => {
    t = await createTestApp({ conf: '[metrics]\nenabled = true' });
    document = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('documents every route Nest registered', () => {
    const express = t.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
    // Express 5 registers an `@All()` route once per HTTP method, most of which OpenAPI cannot name.
    const routes = express.router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => {
        const methods = Object.keys(layer.route!.methods);
        return [layer.route!.path]
          .flat()
          .flatMap((path) =>
            methods.length > 10 ? [{ method: 'all', path }] : methods.map((method) => ({ method, path })),
          );
      })
      // The documentation's own pages.
      .filter(({ path }) => !path.startsWith('/docs'));
    expect(routes.length).toBeGreaterThan(15);
    const undocumented = routes.filter(({ method, path }) => {
      const operations = document.paths[path.replace(/:(\w+)/g, '{$1}')];
      if (!operations) return true;
      // A route served for any method is documented once, as GET.
      return method === 'all' ? !operations.get : !operations[method];
    });
    expect(undocumented).toEqual([]);
  });

  it('lists each path and method once: the root document, served for any method, as GET only', () => {
    expect(Object.keys(document.paths['/'])).toEqual(['get']);
    expect(JSON.stringify(document.paths['/'].get)).toContain('Answered alike for any HTTP method.');
  });

  it('requires the Keystone token (X-Auth-Token) everywhere but on the public discovery and probe paths', () => {
    const full = document as unknown as {
      security?: Array<Record<string, string[]>>;
      components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(full.components.securitySchemes.keystone).toEqual({ type: 'apiKey', in: 'header', name: 'X-Auth-Token' });
    expect(full.security).toEqual([{ keystone: [] }]);
    const publicOperations: string[] = [];
    for (const [path, operations] of Object.entries(full.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.security !== undefined) {
          expect(operation.security).toEqual([]);
          publicOperations.push(`${method} ${path}`);
        }
      }
    }
    expect(publicOperations.sort()).toEqual(['get /', 'get /healthcheck', 'get /metrics', 'get /v1']);
  });

  it('gives every operation a JSON body schema for success and, under /v1, the fault body for errors', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses);
        expect([method, path, statuses.some((s) => /^[23]/.test(s))]).toEqual([method, path, true]);
        if (!path.startsWith('/v1/')) continue;
        for (const status of statuses.filter((s) => /^[45]/.test(s) && s !== '401')) {
          const schema = operation.responses[status].content?.['application/json']?.schema;
          expect([method, path, status, schema?.required]).toEqual([
            method,
            path,
            status,
            ['faultcode', 'faultstring', 'debuginfo'],
          ]);
        }
      }
    }
  });

  it('has examples that validate against their own schemas', () => {
    const examples = schemasWithExamples(document.paths, '#/paths');
    expect(examples.length).toBeGreaterThan(15);
    const failures = examples.flatMap(([at, schema]) => violations(schema, schema.example).map((v) => `${at} ${v}`));
    expect(failures).toEqual([]);
  });

  it('checks what it should: the validator rejects a wrong example', () => {
    const offer = document.paths['/v1/offers/{ident}'].get.responses['200'].content!['application/json'].schema;
    expect(violations(offer, { ...(offer.example as object), start_time: '2030-01-01 00:00:00' })).toEqual([
      `$.start_time: does not match ${offer.properties!.start_time.pattern}`,
    ]);
    expect(violations(offer, { uuid: 'x' })).toContain('$.status: missing');
  });

  it('matches what the API really answers', async () => {
    const health = (await t.http().get('/healthcheck').expect(200)).body;
    const schema = document.paths['/healthcheck'].get.responses['200'].content!['application/json'].schema;
    expect(violations(schema, health)).toEqual([]);
    const fault = (await t.as('owner').get('/v1/offers/nope').expect(404)).body;
    const faultSchema = document.paths['/v1/offers/{ident}'].get.responses['404'].content!['application/json'].schema;
    expect(violations(faultSchema, fault)).toEqual([]);
  });
});

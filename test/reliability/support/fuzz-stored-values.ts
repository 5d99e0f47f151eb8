import fc from 'fast-check';
import { headersFor, P, Persona } from '../../support/projects';
import { Fixture, FuzzRequest } from './fuzz-requests';

/** Strings at, just under and just over the widths (35, 255) in 1- to 4-byte characters, and random ones. */
const storedString = fc.oneof(
  fc
    .tuple(fc.constantFrom(34, 35, 36, 254, 255, 256), fc.constantFrom('x', 'é', '日', '🦄'))
    .map(([n, unit]) => unit.repeat(n)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** `properties` as JSON text: numbers a double cannot hold, sizes around the TEXT column's 65,535 bytes. */
const propertiesText = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ v })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"big": 12345678901234567890, "neg": -98765432109876543210, "one": 1.0, "tiny": 1e-7}',
      '{"nested": [[[[{"deep": 18446744073709551615}]]]]}',
      '{"emoji": "🦄", "nul": "\\u0000", "lone": "\\ud800"}',
    ),
  },
  // Rarer: each stored one makes every later fingerprint of the database read 64 KB more.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(65_534, 65_535, 65_536), fc.constantFrom('x', 'é')).map(([bytes, unit]) => {
      const room = bytes - Buffer.byteLength('{"pad":""}');
      const unitBytes = Buffer.byteLength(unit);
      return JSON.stringify({ pad: unit.repeat(Math.floor(room / unitBytes)) + 'x'.repeat(room % unitBytes) });
    }),
  },
);

/** Nesting at, just over and far past the body parser's limit of 100 (the body is level 1). */
const deepText = fc
  .tuple(fc.constantFrom(97, 98, 99, 100, 5_000, 100_000), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth));

/** A window of 1–3 days between 2030 (the fixture offer's year) and 2040. */
const windowArb = fc.tuple(fc.integer({ min: 0, max: 3_650 }), fc.integer({ min: 1, max: 3 })).map(([from, days]) => {
  const day = (n: number) => new Date(Date.UTC(2030, 0, 1) + n * 86_400_000).toISOString().slice(0, 19);
  return { start_time: day(from), end_time: day(from + days) };
});

/**
 * POSTs that pass every check but the one on stored values, often enough to be accepted: the
 * right caller, content type and resource, and names, purposes, project ids, node ids and
 * properties at and around the widths of their columns (and now and then nested around and
 * past the depth limit).
 */
export function storedValuesRequestArb(fixture: Fixture, nodes: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const field = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
  return fc
    .record({
      target: fc.constantFrom('offer', 'lease', 'claim', 'console'),
      name: field(
        fc.oneof(
          { weight: 9, arbitrary: storedString.map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: deepText },
        ),
      ),
      purpose: field(storedString),
      projectId: field(fc.oneof(fc.constant(P.lessee), storedString)),
      node: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...nodes) }, { weight: 1, arbitrary: storedString }),
      properties: field(
        fc.oneof(
          { weight: 9, arbitrary: propertiesText },
          { weight: 1, arbitrary: deepText.map((v) => `{"deep": ${v}}`) },
        ),
      ),
      window: windowArb,
    })
    .map(({ target, name, purpose, projectId, node, properties, window }) => {
      const fields: string[] = [];
      const put = (key: string, value: string | undefined, raw = false) => {
        if (value !== undefined) fields.push(`${JSON.stringify(key)}: ${raw ? value : JSON.stringify(value)}`);
      };
      let path = '/v1/offers';
      let persona: Persona = 'owner';
      if (target === 'console') {
        path = '/v1/console_auth_tokens';
        put('node_uuid_or_name', node);
      } else {
        if (target === 'claim') {
          path = `/v1/offers/${fixture.offer}/claim`;
          persona = 'lessee';
        } else {
          put('resource_uuid', node);
        }
        if (target === 'lease') {
          path = '/v1/leases';
          put('project_id', projectId ?? P.lessee);
        }
        if (target === 'offer') put('lessee_id', projectId);
        if (target !== 'offer') put('purpose', purpose);
        put('name', name, true);
        put('properties', properties, true);
        put('start_time', window.start_time);
        put('end_time', window.end_time);
      }
      return {
        method: 'POST',
        path,
        headers: { ...headersFor(persona), 'Content-Type': 'application/json' },
        body: `{${fields.join(', ')}}`,
      };
    });
}

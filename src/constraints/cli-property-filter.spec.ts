/**
 * The server-side constraint filter must keep exactly the rows that python-esileapclient's
 * `--property 'key>=value'` filter keeps, for every filter that client accepts and evaluates
 * without raising. The oracle (test/support/cli-property-filter-oracle.ts) is an independent
 * model of that client's behaviour (Python 3 semantics), written from its documented rules,
 * not shared with the code under test:
 *
 * - a filter is `re.match(r"([^><=]+)(>=|<=|>|<|=)(.+)")`: the key runs to the first `<`, `>`
 *   or `=`, is stripped, and `=` is equality;
 * - the value and each property are read with `int()`, then `float()`, else kept as text;
 *   `int()` of a JSON number truncates it and of a boolean gives 0 or 1; of null it raises;
 * - a row whose properties lack the key is dropped; filters are ANDed in order, stopping at
 *   the first that fails;
 * - numbers compare as numbers, text by code point; `=` between a number and text is false,
 *   and an ordering between them raises `TypeError`, so the client has no answer.
 *
 * The subset both sides share, which the generators below stay inside: keys without dots,
 * spaces, `!` or `|`; operators `=`, `>=`, `<=`, `>`, `<`; values that do not start with an
 * operator character, contain no `|`, no size suffix, no Python-only numerals (`1_000`, `inf`,
 * `nan`), integers within ±2^53, and no space around a text value. Outside it our language is
 * richer (`==`, `!=`, `a|b`, `key`, `!key`, dotted paths, size suffixes) or deliberately
 * different (a text value is trimmed; `cpus==16` means equality, where the client compares
 * with the text "=16").
 */
import * as fc from 'fast-check';
import {
  cliKeeps,
  cliParse,
  constraintValue,
  freeText,
  KEYS,
  knownText,
  numeral,
  propertyValue,
  pyConvertText,
  RAISES,
} from '../../test/support/cli-property-filter-oracle';
import { matchesAllConstraints } from './constraint-evaluator';
import { parseConstraints } from './constraint-parser';

const isNumeral = (text: string) => pyConvertText(text).kind === 'number';

const filterText = fc
  .tuple(
    fc.constantFrom(...KEYS),
    fc.constantFrom('', ' '),
    fc.constantFrom('=', '>=', '<=', '>', '<'),
    constraintValue,
    fc.boolean(),
  )
  // A space before the value only where the client reads it as a number (int() strips it).
  .map(
    ([key, pad, op, value, spaceBefore]) => `${key}${pad}${op}${spaceBefore && isNumeral(value) ? ' ' : ''}${value}`,
  );

const properties = fc.dictionary(fc.constantFrom(...KEYS), propertyValue, { maxKeys: KEYS.length });

describe('constraints against the CLI property filter', () => {
  it('agree on the examples of the client own tests', () => {
    const nodes = [
      { cpus: '40', memory_mb: '131072' },
      { cpus: '80', memory_mb: '262144' },
      { cpus: '20', memory_mb: '65536' },
    ];
    const kept = (texts: string[]) => nodes.filter((n) => matchesAllConstraints(n, parseConstraints(texts)));
    expect(kept(['cpus>=40'])).toEqual([nodes[0], nodes[1]]);
    expect(kept(['memory_mb<=131072'])).toEqual([nodes[0], nodes[2]]);
    expect(kept(['cpus>100'])).toEqual([]);
    expect(kept(['cpus<40'])).toEqual([nodes[2]]);
    expect(kept(['cpus>=40', 'memory_mb>=131072'])).toEqual([nodes[0], nodes[1]]);
    expect(kept(['non_existent_property>=100'])).toEqual([]);
  });

  it('keep the same rows wherever the client answers, row by row', () => {
    let answered = 0;
    fc.assert(
      fc.property(
        fc.array(filterText, { minLength: 1, maxLength: 3 }),
        fc.array(properties, { maxLength: 8 }),
        (texts, rows) => {
          const cliFilters = texts.map(cliParse);
          const ours = parseConstraints(texts);
          for (const row of rows) {
            const verdict = cliKeeps(row, cliFilters);
            if (verdict === RAISES) continue;
            answered++;
            expect({ texts, row, kept: matchesAllConstraints(row, ours) }).toEqual({ texts, row, kept: verdict });
          }
        },
      ),
      { numRuns: 3000 },
    );
    // The comparison must not be vacuous: most rows get an answer from the client.
    expect(answered).toBeGreaterThan(3000);
  });

  it('keep exactly the same list on fleets typed the way Ironic types them', () => {
    // Real fleets keep one kind of value per key (cpus is always a number), where the client
    // never raises: the whole filtered list must be equal, order included.
    const numericKey = fc.oneof(fc.integer({ min: 0, max: 512 }), numeral);
    const fleetRow = fc.record(
      {
        cpus: numericKey,
        memory_mb: numericKey,
        local_gb: numericKey,
        gpu: fc.oneof(freeText, knownText),
        cpu_arch: knownText,
      },
      { requiredKeys: [] },
    );
    const typedFilter = fc.oneof(
      fc.tuple(fc.constantFrom('cpus', 'memory_mb', 'local_gb'), fc.constantFrom('=', '>=', '<=', '>', '<'), numeral),
      fc.tuple(
        fc.constantFrom('gpu', 'cpu_arch'),
        fc.constantFrom('=', '>=', '<=', '>', '<'),
        fc.oneof(knownText, freeText),
      ),
    );
    fc.assert(
      fc.property(
        fc.array(typedFilter, { minLength: 1, maxLength: 3 }),
        fc.array(fleetRow, { maxLength: 20 }),
        (filters, fleet) => {
          const texts = filters.map(([k, op, v]) => `${k}${op}${v}`);
          const cliFilters = texts.map(cliParse);
          const verdicts = fleet.map((row) => cliKeeps(row, cliFilters));
          fc.pre(!verdicts.includes(RAISES));
          const ours = parseConstraints(texts);
          expect(fleet.filter((row) => matchesAllConstraints(row, ours))).toEqual(fleet.filter((_, i) => verdicts[i]));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('part ways only where the client reads the text differently, as documented', () => {
    // The client compares "==16" as the text "=16" and keeps spaces around text values.
    expect(cliKeeps({ cpus: '16' }, [cliParse('cpus==16')])).toBe(false);
    expect(matchesAllConstraints({ cpus: '16' }, parseConstraints(['cpus==16']))).toBe(true);
    expect(cliKeeps({ gpu: 'a100' }, [cliParse('gpu= a100')])).toBe(false);
    expect(matchesAllConstraints({ gpu: 'a100' }, parseConstraints(['gpu= a100']))).toBe(true);
  });
});

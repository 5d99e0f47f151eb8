/**
 * The server-side constraint filter must keep exactly the rows that python-esileapclient's
 * `--property 'key>=value'` filter keeps, for every filter that client accepts and evaluates
 * without raising. The oracle below is an independent model of that client's behaviour
 * (Python 3 semantics), written from its documented rules, not shared with the code under test:
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
import { matchesAllConstraints } from './constraint-evaluator';
import { parseConstraints } from './constraint-parser';

type PyScalar = { kind: 'number'; n: number } | { kind: 'text'; s: string };
const RAISES = 'raises' as const;
type Verdict = boolean | typeof RAISES;

const PY_INT = /^[ \t]*[+-]?[0-9]+[ \t]*$/;
const PY_FLOAT = /^[ \t]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*$/;

/** Forms Python reads as numbers and the oracle does not model: `1_000`, `inf`, `nan`, non-ASCII digits or spaces. */
function pyOnlyNumeral(s: string): boolean {
  if (s.includes('_') && PY_FLOAT.test(s.replace(/_/g, ''))) return true;
  if (/^\s*[+-]?(?:inf|infinity|nan)\s*$/i.test(s)) return true;
  return Array.from(s).some(
    (ch) => (/\p{Nd}/u.test(ch) && !/[0-9]/.test(ch)) || (/\s/.test(ch) && ch !== ' ' && ch !== '\t'),
  );
}

/** Python's `int(s)` then `float(s)` fallback on a string, for the forms the generators make. */
function pyConvertText(s: string): PyScalar {
  if (pyOnlyNumeral(s)) throw new Error(`oracle does not model ${JSON.stringify(s)}`);
  if (PY_INT.test(s)) {
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n)) throw new Error(`oracle does not model big int ${s}`);
    return { kind: 'number', n };
  }
  if (PY_FLOAT.test(s)) return { kind: 'number', n: parseFloat(s.trim()) };
  return { kind: 'text', s };
}

function pyConvertProperty(v: unknown): PyScalar | typeof RAISES {
  if (typeof v === 'string') return pyConvertText(v);
  if (typeof v === 'number') return { kind: 'number', n: Math.trunc(v) };
  if (typeof v === 'boolean') return { kind: 'number', n: v ? 1 : 0 };
  return RAISES;
}

function pyCodePointOrder(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

type CliFilter = { key: string; op: '>=' | '<=' | '>' | '<' | '='; value: PyScalar };

function cliParse(text: string): CliFilter {
  const m = /^([^><=]+)(>=|<=|>|<|=)(.+)/.exec(text);
  if (!m) throw new Error(`the client rejects ${text}`);
  return { key: m[1].trim(), op: m[2] as CliFilter['op'], value: pyConvertText(m[3]) };
}

function pyCompare(a: PyScalar, op: CliFilter['op'], b: PyScalar): Verdict {
  let order: number;
  if (a.kind === 'number' && b.kind === 'number') order = a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
  else if (a.kind === 'text' && b.kind === 'text') order = pyCodePointOrder(a.s, b.s);
  else return op === '=' ? false : RAISES;
  if (op === '=') return order === 0;
  if (op === '>=') return order >= 0;
  if (op === '<=') return order <= 0;
  return op === '>' ? order > 0 : order < 0;
}

function cliKeeps(properties: Record<string, unknown>, filters: readonly CliFilter[]): Verdict {
  for (const f of filters) {
    if (!Object.hasOwn(properties, f.key)) return false;
    const value = pyConvertProperty(properties[f.key]);
    if (value === RAISES) return RAISES;
    const verdict = pyCompare(value, f.op, f.value);
    if (verdict !== true) return verdict;
  }
  return true;
}

const KEYS = ['cpus', 'memory_mb', 'local_gb', 'gpu', 'cpu_arch'];

/** Numerals both Python and we read as numbers: signs, leading zeros, fractions, exponents. */
const numeral = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.integer({ min: 0, max: 300 }).map((n) => `+0${n}`),
  fc.tuple(fc.integer({ min: -99, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a}.${b}`),
  fc.integer({ min: 0, max: 50 }).map((n) => `.${n}`),
  fc.integer({ min: 0, max: 50 }).map((n) => `${n}.`),
  fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -3, max: 3 })).map(([m, e]) => `${m}e${e}`),
  fc.constantFrom('1E+2', '-2.5e-1', '9e999', '-9e999', '0', '-0', '64', '65536'),
);
/**
 * Text from an alphabet without whitespace, `|`, operator characters, the letters of `inf`
 * and `nan`, or size-suffix letters; digits, `e`, `.` and signs make some of it look numeric.
 */
const freeText = fc.stringMatching(/^[acdehxyz0-9.:+-][acdehxyzACDEHXYZ0-9.:+-]{0,5}$/);
const knownText = fc.constantFrom('a100', 'h100', 'x86_64', 'aarch64', 'A100', 'uefi', '\u{1F600}', '\uFF5E');
const constraintValue = fc.oneof(numeral, freeText, knownText);
const propertyValue = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }),
  numeral,
  numeral.map((n) => ` ${n}\t`),
  freeText,
  knownText,
  knownText.map((t) => ` ${t}`),
);

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

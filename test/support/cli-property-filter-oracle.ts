/**
 * An independent model of python-esileapclient's `--property 'key>=value'` filter (Python 3
 * semantics), written from its documented rules and sharing nothing with the code under test:
 * the oracle of the specs that check our server-side constraints keep the same rows.
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

export type PyScalar = { kind: 'number'; n: number } | { kind: 'text'; s: string };
export const RAISES = 'raises' as const;
export type Verdict = boolean | typeof RAISES;

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
export function pyConvertText(s: string): PyScalar {
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

export type CliFilter = { key: string; op: '>=' | '<=' | '>' | '<' | '='; value: PyScalar };

export function cliParse(text: string): CliFilter {
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

export function cliKeeps(properties: Record<string, unknown>, filters: readonly CliFilter[]): Verdict {
  for (const f of filters) {
    if (!Object.hasOwn(properties, f.key)) return false;
    const value = pyConvertProperty(properties[f.key]);
    if (value === RAISES) return RAISES;
    const verdict = pyCompare(value, f.op, f.value);
    if (verdict !== true) return verdict;
  }
  return true;
}

export const KEYS = ['cpus', 'memory_mb', 'local_gb', 'gpu', 'cpu_arch'];

/** Numerals both Python and we read as numbers: signs, leading zeros, fractions, exponents. */
export const numeral = fc.oneof(
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
export const freeText = fc.stringMatching(/^[acdehxyz0-9.:+-][acdehxyzACDEHXYZ0-9.:+-]{0,5}$/);
export const knownText = fc.constantFrom('a100', 'h100', 'x86_64', 'aarch64', 'A100', 'uefi', '\u{1F600}', '\uFF5E');
export const constraintValue = fc.oneof(numeral, freeText, knownText);
export const propertyValue = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }),
  numeral,
  numeral.map((n) => ` ${n}\t`),
  freeText,
  knownText,
  knownText.map((t) => ` ${t}`),
);

/**
 * What `openstack esi <offer|lease> list --property …` prints from an unfiltered list: the rows
 * whose properties (`propertiesOf`) pass every filter, in order; RAISES when the client would
 * fail on one of them (an ordering between a number and text) and so has no answer.
 */
export function cliFilteredList<T>(
  rows: readonly T[],
  texts: readonly string[],
  propertiesOf: (row: T) => Record<string, unknown>,
): T[] | typeof RAISES {
  const filters = texts.map(cliParse);
  const kept: T[] = [];
  for (const row of rows) {
    const verdict = cliKeeps(propertiesOf(row), filters);
    if (verdict === RAISES) return RAISES;
    if (verdict) kept.push(row);
  }
  return kept;
}

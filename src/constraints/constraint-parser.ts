/**
 * The property constraint language shared by the list filters, group leases and the
 * availability search:
 *
 *   cpus>=16            compare (`==` or `=`, `!=`, `>=`, `<=`, `>`, `<`)
 *   gpu==a100|h100      any of several values (`==`), none of them (`!=`)
 *   gpu                 the property is present
 *   !gpu                the property is absent
 *   capabilities.boot_mode==uefi   a dotted path into nested properties
 *
 * Values are parsed once here so that filtering thousands of rows only compares.
 */
import { InvalidConstraint } from '../common/errors/esi-leap.exceptions';
import { parseMagnitude } from './property-values';

export type ComparisonOperator = '==' | '!=' | '>=' | '<=' | '>' | '<';

/** One value on the right of an operator, with its numeric reading when it has one. */
export interface ConstraintValue {
  readonly text: string;
  readonly magnitude: number | null;
}

interface ConstraintBase {
  /** The constraint as the caller wrote it (trimmed): what error messages and reports name. */
  readonly text: string;
  /** The key split at dots; see `lookupProperty` for how literal dotted names still resolve. */
  readonly path: readonly string[];
}

export type Constraint =
  | (ConstraintBase & { readonly kind: 'present' })
  | (ConstraintBase & { readonly kind: 'absent' })
  | (ConstraintBase & {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly values: readonly ConstraintValue[];
    });

/** Longest first, so `>=` is not read as `>` followed by a value starting with `=`. */
const OPERATORS: readonly [string, ComparisonOperator][] = [
  ['==', '=='],
  ['!=', '!='],
  ['>=', '>='],
  ['<=', '<='],
  ['=', '=='],
  ['>', '>'],
  ['<', '<'],
];

const OPERATOR_CHARS = /[<>=!]/;

/** Parses one constraint; throws InvalidConstraint (a 400) naming it when it is malformed. */
export function parseConstraint(raw: string): Constraint {
  const text = raw.trim();
  const fail = (reason: string): never => {
    throw new InvalidConstraint(text, reason);
  };
  if (text === '') fail('empty constraint');

  if (text.startsWith('!') && !text.startsWith('!=')) {
    const key = text.slice(1).trim();
    if (OPERATOR_CHARS.test(key)) fail('an absence check (!key) takes no operator');
    return { kind: 'absent', text, path: parseKey(key, fail) };
  }

  const at = text.search(OPERATOR_CHARS);
  if (at < 0) return { kind: 'present', text, path: parseKey(text, fail) };

  const path = parseKey(text.slice(0, at).trim(), fail);
  const match = OPERATORS.find(([spelling]) => text.startsWith(spelling, at));
  if (!match) fail(`unknown operator '${text.slice(at, at + 2)}'`);
  const [spelling, operator] = match!;
  const rest = text.slice(at + spelling.length).trim();
  if (rest === '') fail('missing value');
  // `cpus=>16` or `cpus===16` is a typo, not a comparison with the text ">16".
  if (OPERATOR_CHARS.test(rest[0])) fail(`a value may not start with '${rest[0]}'`);

  const alternatives = rest.split('|').map((v) => v.trim());
  if (alternatives.some((v) => v === '')) fail('empty alternative');
  if (alternatives.length > 1 && operator !== '==' && operator !== '!=') {
    fail('alternatives (a|b) only go with == or !=');
  }
  const values = alternatives.map((v) => ({ text: v, magnitude: parseMagnitude(v) }));
  return { kind: 'compare', text, path, operator, values };
}

/** Parses every constraint of a request; the first malformed one is the error. */
export function parseConstraints(raw: readonly string[]): Constraint[] {
  return raw.map(parseConstraint);
}

function parseKey(key: string, fail: (reason: string) => never): string[] {
  if (key === '') fail('missing property name');
  // A space inside a key is almost always a missing operator (`cpus 16`), not a name.
  if (/[\s|]/.test(key)) fail(`property name '${key}' may not contain spaces or '|'`);
  const path = key.split('.');
  if (path.some((segment) => segment === '')) fail(`property name '${key}' has an empty path segment`);
  return path;
}

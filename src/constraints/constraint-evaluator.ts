/**
 * Evaluates parsed constraints against a node's properties, and explains which constraints
 * excluded which candidates when too few are left.
 */
import { Constraint, ConstraintValue } from './constraint-parser';
import { compareCodePoints, lookupProperty, propertyMagnitude, propertyText } from './property-values';

/**
 * Numbers when both sides read as numbers (so `"256" > "64"`, unlike a string comparison),
 * otherwise text by code point. Null when the property has no scalar value to compare.
 */
function compareWith(value: unknown, wanted: ConstraintValue): number | null {
  if (wanted.magnitude !== null) {
    const magnitude = propertyMagnitude(value);
    if (magnitude !== null) return magnitude < wanted.magnitude ? -1 : magnitude > wanted.magnitude ? 1 : 0;
  }
  const text = propertyText(value);
  return text === null ? null : compareCodePoints(text, wanted.text);
}

/**
 * True when the properties satisfy the constraint. Every comparison, `!=` included, needs the
 * property to be there: "gpu!=a100" keeps nodes with another GPU, not nodes without one
 * (that is `!gpu`), the same way the CLI's filter drops a node that lacks the key.
 */
export function matchesConstraint(properties: unknown, constraint: Constraint): boolean {
  const value = lookupProperty(properties, constraint.path);
  if (constraint.kind === 'present') return value !== undefined;
  if (constraint.kind === 'absent') return value === undefined;
  if (value === undefined) return false;
  const { operator, values } = constraint;
  if (operator === '==' || operator === '!=') {
    let comparable = false;
    for (const wanted of values) {
      const order = compareWith(value, wanted);
      if (order === 0) return operator === '==';
      if (order !== null) comparable = true;
    }
    return operator === '!=' && comparable;
  }
  const order = compareWith(value, values[0]);
  if (order === null) return false;
  switch (operator) {
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
  }
}

/** True when the properties satisfy every constraint (they are ANDed; none means all match). */
export function matchesAllConstraints(properties: unknown, constraints: readonly Constraint[]): boolean {
  for (const constraint of constraints) if (!matchesConstraint(properties, constraint)) return false;
  return true;
}

export interface ConstraintExclusion {
  /** The constraint as written. */
  readonly constraint: string;
  /** Candidates that fail this constraint (whatever the others say). */
  readonly excluded: number;
  /** Candidates that fail only this constraint: dropping it alone would admit them. */
  readonly excludedOnlyByThis: number;
}

export interface ExclusionReport {
  readonly candidates: number;
  /** Candidates that satisfy every constraint. */
  readonly matching: number;
  /** One entry per constraint, in the order given. */
  readonly byConstraint: readonly ConstraintExclusion[];
  /** The constraint that excluded most candidates (the first on a tie), null when none excluded any. */
  readonly mostExcluding: string | null;
}

/**
 * Counts, for a "why not" answer, how many candidates each constraint excluded. Each
 * candidate's properties are checked against every constraint (no short-circuit), so the
 * counts do not depend on the order the constraints were given in.
 */
export function explainExclusions(candidates: readonly unknown[], constraints: readonly Constraint[]): ExclusionReport {
  const excluded = new Array<number>(constraints.length).fill(0);
  const excludedOnlyByThis = new Array<number>(constraints.length).fill(0);
  let matching = 0;
  for (const properties of candidates) {
    let failures = 0;
    let lastFailed = -1;
    constraints.forEach((constraint, i) => {
      if (matchesConstraint(properties, constraint)) return;
      excluded[i]++;
      failures++;
      lastFailed = i;
    });
    if (failures === 0) matching++;
    else if (failures === 1) excludedOnlyByThis[lastFailed]++;
  }
  let most = -1;
  excluded.forEach((count, i) => {
    if (count > 0 && (most < 0 || count > excluded[most])) most = i;
  });
  return {
    candidates: candidates.length,
    matching,
    byConstraint: constraints.map((c, i) => ({
      constraint: c.text,
      excluded: excluded[i],
      excludedOnlyByThis: excludedOnlyByThis[i],
    })),
    mostExcluding: most < 0 ? null : constraints[most].text,
  };
}

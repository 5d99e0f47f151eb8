import { Constraint, parseConstraints } from '../../constraints/constraint-parser';
import { matchesAllConstraints } from '../../constraints/constraint-evaluator';
import { UtcTime } from '../time';

/** `status` absent → the endpoint's default set; `any` → no filter; otherwise that status. */
export function statusFilter(status: string | undefined, defaults: readonly string[]): readonly string[] | null {
  if (status === undefined) return defaults;
  return status === 'any' ? null : [status];
}

/** A start/end pair of a list filter must come together and in order. */
export function bothOrNeither(
  start: UtcTime | undefined,
  end: UtcTime | undefined,
  fail: (start: UtcTime | undefined, end: UtcTime | undefined) => never,
): { start: UtcTime; end: UtcTime } | undefined {
  if (start === undefined && end === undefined) return undefined;
  if (start === undefined || end === undefined || end <= start) fail(start, end);
  return { start: start!, end: end! };
}

/** The `resource_class` filter of the list endpoints, applied lazily to rendered rows. */
export function* withResourceClass<T extends { resource_class?: unknown }>(
  views: Iterable<T>,
  resourceClass: string,
): Iterable<T> {
  for (const view of views) if (view.resource_class === resourceClass) yield view;
}

/**
 * The `constraint` filter of the list endpoints (ours): every constraint parsed before the
 * list is read, so a malformed one is a 400 naming it (InvalidConstraint); undefined when none
 * was given.
 */
export function listConstraints(texts: readonly string[] | undefined): Constraint[] | undefined {
  return texts === undefined || texts.length === 0 ? undefined : parseConstraints(texts);
}

/**
 * The rows whose properties, as the list shows them, satisfy every constraint, applied lazily
 * to rendered rows: the CLI's `--property` filter looks at the same key of the same rows
 * (docs/constraints.md).
 */
export function* withConstraints<T>(
  views: Iterable<T>,
  constraints: readonly Constraint[],
  propertiesOf: (view: T) => unknown,
): Iterable<T> {
  for (const view of views) if (matchesAllConstraints(propertiesOf(view), constraints)) yield view;
}

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

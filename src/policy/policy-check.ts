/**
 * A parsed check string: the tree oslo.policy builds from `role:admin or rule:is_owner`.
 * Parsing happens once when rules are loaded; evaluation walks this tree per request.
 */
export type PolicyCheck =
  | { readonly type: 'true' }
  | { readonly type: 'false' }
  | { readonly type: 'not'; readonly check: PolicyCheck }
  | { readonly type: 'and'; readonly checks: readonly PolicyCheck[] }
  | { readonly type: 'or'; readonly checks: readonly PolicyCheck[] }
  /** `rule:NAME`: the named rule's result; an undefined rule is false. */
  | { readonly type: 'rule'; readonly name: string }
  /** `role:NAME`: NAME (interpolated with the target) among creds.roles, ignoring case. */
  | { readonly type: 'role'; readonly match: string }
  /** Any other `KIND:MATCH`: a Python literal or a dotted creds path compared with MATCH. */
  | { readonly type: 'generic'; readonly kind: string; readonly match: string };

export const TRUE_CHECK: PolicyCheck = { type: 'true' };
export const FALSE_CHECK: PolicyCheck = { type: 'false' };

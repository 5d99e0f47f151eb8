import { createParamDecorator, ExecutionContext, SetMetadata, Type } from '@nestjs/common';
import { ContextualRequest } from '../auth/request-context';
import { DefaultPolicyRuleName } from './default-rules';
import { PolicyTarget } from './policy.service';

export const POLICY_KEY = 'esi_leap:policy';

/** Every policy rule esi-leap registers in code; a route can only name one of these. */
export type PolicyRuleName = DefaultPolicyRuleName;

/** The request as the guard and the target resolvers see it. */
export type PolicyRequest = ContextualRequest & {
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The object a resolved target was about, for the handler (`@PolicyObject()`). */
  esiLeapPolicyObject?: unknown;
};

/** What a target resolver found: the object, the rule's target, and the error a denial answers. */
export interface ResolvedPolicyTarget<T> {
  readonly object: T;
  readonly target: PolicyTarget;
  readonly denied: () => Error;
  /** Checked after the rule allowed the caller (upstream's order), e.g. an offer's lessee restriction. */
  readonly afterRule?: () => Promise<void>;
  /**
   * A narrower rule a caller the route's rule denies may pass instead (a lease's lessee may
   * extend it without `lease:update`); the handler then gets this `object`, which says so.
   */
  readonly alternative?: { readonly rule: PolicyRuleName; readonly object: T };
}

/**
 * Loads the object an object rule is about (`offer:get`, `lease:update`, …) from the request:
 * an unknown one is a 404 before any policy check, as upstream answers.
 */
export interface PolicyTargetResolver<T = unknown, O = unknown> {
  resolve(request: PolicyRequest, options: O): Promise<ResolvedPolicyTarget<T>>;
}

export interface PolicyTargetSpec<T = unknown, O = unknown> {
  readonly resolver: Type<PolicyTargetResolver<T, O>>;
  readonly options: O;
}

/** A rule fixed for the route, or chosen from the request (the lease list's `view=all`). */
export type RuleChoice = PolicyRuleName | ((request: PolicyRequest) => PolicyRuleName);

export type PolicyDeclaration =
  | { readonly kind: 'rule'; readonly rule: RuleChoice; readonly target?: PolicyTargetSpec }
  | { readonly kind: 'public' }
  | { readonly kind: 'no-rule'; readonly reason: string };

/**
 * The policy rule of a route, enforced by PolicyGuard before the handler runs. Without a
 * target the rule's target is the caller's credentials; with one, the resolver loads the
 * object first and the rule sees its keys (`offer.project_id`, `lease.owner_id`, …).
 */
export const Policy = (rule: RuleChoice, target?: PolicyTargetSpec) =>
  SetMetadata(POLICY_KEY, { kind: 'rule', rule, target } satisfies PolicyDeclaration);

/** A route anyone may call, without identity (version documents, health, API docs). */
export const Public = () => SetMetadata(POLICY_KEY, { kind: 'public' } satisfies PolicyDeclaration);

/**
 * A route every authenticated caller may call because upstream guards it with no rule; what
 * the caller then sees is decided inside (by the node's owner, the caller's project, …).
 */
export const NoPolicyRule = (reason: string) =>
  SetMetadata(POLICY_KEY, { kind: 'no-rule', reason } satisfies PolicyDeclaration);

/** The object the route's policy target resolver loaded. */
export const PolicyObject = createParamDecorator((_data: unknown, host: ExecutionContext): unknown => {
  const request = host.switchToHttp().getRequest<PolicyRequest>();
  if (!('esiLeapPolicyObject' in request)) throw new Error('@PolicyObject() on a route whose @Policy has no target');
  return request.esiLeapPolicyObject;
});

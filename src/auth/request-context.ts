import { ClientError } from '../common/errors/esi-leap.exceptions';

/**
 * The caller's identity for one request. Built by the auth layer (Keystone
 * token or noauth headers) and read by the policy guard and the services.
 */
export interface PolicyCredentials {
  user_id: string | null;
  user_domain_id: string | null;
  system_scope: string | null;
  domain_id: string | null;
  project_id: string | null;
  project_domain_id: string | null;
  roles: string[];
  is_admin_project: boolean;
  service_user_id: string | null;
  service_user_domain_id: string | null;
  service_project_id: string | null;
  service_project_domain_id: string | null;
  service_roles: string[];
}

export interface RequestContext {
  /** The dict oslo.policy sees as `creds` (exactly the keys upstream's `RequestContext.to_policy_values` gives). */
  readonly creds: PolicyCredentials;
  /** The caller's raw token, for calls made as the user (Ironic node list, console). */
  readonly authToken: string | null;
  readonly projectName: string | null;
  readonly requestId: string;
}

export function emptyCredentials(): PolicyCredentials {
  return {
    user_id: null,
    user_domain_id: null,
    system_scope: null,
    domain_id: null,
    project_id: null,
    project_domain_id: null,
    roles: [],
    is_admin_project: true,
    service_user_id: null,
    service_user_domain_id: null,
    service_project_id: null,
    service_project_domain_id: null,
    service_roles: [],
  };
}

/** Creation needs a project: in noauth mode a request may carry identity headers without one. */
export function requireProject(ctx: RequestContext): string {
  if (!ctx.creds.project_id) throw new ClientError("Field `project_id' cannot be None");
  return ctx.creds.project_id;
}

/** Express's request, as the auth layer leaves it. */
export interface ContextualRequest {
  esiLeapContext?: RequestContext;
}

import { IncomingHttpHeaders } from 'node:http';
import { emptyCredentials, PolicyCredentials } from './request-context';

export interface DefaultIdentity {
  readonly projectId: string;
  readonly projectName: string;
  readonly roles: readonly string[];
}

const IDENTITY_HEADERS = ['x-project-id', 'x-tenant-id', 'x-tenant', 'x-roles', 'x-role', 'x-user-id', 'x-user'];

function header(headers: IncomingHttpHeaders, ...names: string[]): string | null {
  for (const name of names) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[value.length - 1] : value;
    if (text !== undefined) return text;
  }
  return null;
}

function roleList(value: string | null): string[] {
  return value === null ? [] : value.split(',').map((r) => r.trim()).filter((r) => r !== '');
}

export interface NoauthIdentity {
  readonly creds: PolicyCredentials;
  readonly projectName: string | null;
  readonly authToken: string | null;
}

/**
 * noauth mode (`[pecan] auth_enable = false`): the identity is whatever keystonemiddleware would have put in
 * the headers. A request with no identity headers at all acts as the configured default
 * project (the single-user embedded setup).
 */
export function identityFromHeaders(headers: IncomingHttpHeaders, fallback: DefaultIdentity): NoauthIdentity {
  const authToken = header(headers, 'x-auth-token', 'x-storage-token');
  if (!IDENTITY_HEADERS.some((name) => headers[name] !== undefined)) {
    return {
      creds: { ...emptyCredentials(), project_id: fallback.projectId, roles: [...fallback.roles] },
      projectName: fallback.projectName,
      authToken,
    };
  }
  const isAdminProject = header(headers, 'x-is-admin-project');
  return {
    creds: {
      user_id: header(headers, 'x-user-id', 'x-user'),
      user_domain_id: header(headers, 'x-user-domain-id'),
      system_scope: header(headers, 'x-system-scope'),
      domain_id: header(headers, 'x-domain-id'),
      project_id: header(headers, 'x-project-id', 'x-tenant-id', 'x-tenant'),
      project_domain_id: header(headers, 'x-project-domain-id'),
      roles: roleList(header(headers, 'x-roles', 'x-role')),
      is_admin_project: isAdminProject === null ? true : isAdminProject.toLowerCase() === 'true',
      service_user_id: header(headers, 'x-service-user-id'),
      service_user_domain_id: header(headers, 'x-service-user-domain-id'),
      service_project_id: header(headers, 'x-service-project-id'),
      service_project_domain_id: header(headers, 'x-service-project-domain-id'),
      service_roles: roleList(header(headers, 'x-service-roles')),
    },
    projectName: header(headers, 'x-project-name'),
    authToken,
  };
}

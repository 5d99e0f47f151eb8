/** What one process runs (`--role`): the REST API, the manager's scheduled jobs, or both. */
export type Role = 'api' | 'manager' | 'all';

export interface RoleSet {
  readonly api: boolean;
  readonly manager: boolean;
}

export function rolesOf(role: Role): RoleSet {
  return { api: role === 'api' || role === 'all', manager: role === 'manager' || role === 'all' };
}

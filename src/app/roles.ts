/**
 * What one process runs (`--role`): the REST API, the manager's scheduled jobs, both (`all`,
 * as upstream's container), or the serial console websocket proxy, which is its own process
 * and port as upstream's `esi-leap-serial-console-proxy`.
 */
export type Role = 'api' | 'manager' | 'all' | 'console-proxy';

export const ROLES: readonly Role[] = ['api', 'manager', 'all', 'console-proxy'];

export interface RoleSet {
  readonly api: boolean;
  readonly manager: boolean;
  /** Absent means not run. */
  readonly consoleProxy?: boolean;
}

export function rolesOf(role: Role): RoleSet {
  return {
    api: role === 'api' || role === 'all',
    manager: role === 'manager' || role === 'all',
    consoleProxy: role === 'console-proxy',
  };
}

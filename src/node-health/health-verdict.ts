import { NodeHealthReading } from '../drivers/resource-driver';

/** The widest reason the tables and the API carry. */
const REASON_WIDTH = 255;

/** The reason of a node that no longer exists in its backend. */
export const GONE_REASON = 'the node no longer exists';

/**
 * Why a node is unhealthy, or null when it is healthy: a fault, maintenance (with the
 * operator's reason), or a provision state listed in `[node_health] unhealthy_provision_states`.
 * Several at once are all named, most serious first.
 */
export function healthProblem(reading: NodeHealthReading, unhealthyStates: readonly string[]): string | null {
  const parts: string[] = [];
  if (reading.fault) parts.push(`fault: ${reading.fault}`);
  if (reading.maintenance)
    parts.push(reading.maintenanceReason ? `maintenance: ${reading.maintenanceReason}` : 'maintenance');
  if (reading.provisionState !== null && unhealthyStates.includes(reading.provisionState)) {
    parts.push(`provision state: ${reading.provisionState}`);
  }
  if (parts.length === 0) return null;
  const reason = parts.join('; ');
  return reason.length <= REASON_WIDTH ? reason : `${reason.slice(0, REASON_WIDTH - 1)}…`;
}

import { HEALTH_PATH } from './health/health.controller';
import { METRICS_PATH } from './metrics/metrics.controller';

/**
 * Paths served without a Keystone token, like `/` upstream: probes and scrapers have none.
 * (`/metrics` exists only with `[metrics] enabled`, and only on the status port.)
 */
export function isOpsPath(path: string): boolean {
  return path === HEALTH_PATH || path === METRICS_PATH;
}

import { ConfigError } from '../config/config-error';
import { EsiLeapConfig } from '../config/esi-leap-config';

export const WEBHOOK_SETTINGS = 'WEBHOOK_SETTINGS';

/** `[webhooks]`, checked once at start-up. */
export interface WebhookSettings {
  readonly enabled: boolean;
  /** The keys that seal signing secrets; the first seals. Empty while disabled. */
  readonly secretKeys: readonly string[];
  readonly allowPrivateTargets: boolean;
  readonly maxPerProject: number;
  readonly timeoutMs: number;
  readonly retryBackoffBaseSeconds: number;
  readonly retryBackoffMaxSeconds: number;
  readonly retryForSeconds: number;
  readonly pollIntervalMs: number;
  readonly maxParallel: number;
  readonly retentionSeconds: number;
}

const SHORTEST_KEY = 16;

export function webhookSettings(config: EsiLeapConfig): WebhookSettings {
  const w = config.webhooks;
  if (w.enabled) {
    if (w.secret_keys.length === 0) {
      throw new ConfigError(
        '[webhooks] secret_keys: required when [webhooks] enabled (they encrypt the signing secrets)',
      );
    }
    if (w.secret_keys.some((key) => key.length < SHORTEST_KEY)) {
      throw new ConfigError(`[webhooks] secret_keys: every key must be at least ${SHORTEST_KEY} characters`);
    }
  }
  return {
    enabled: w.enabled,
    secretKeys: w.enabled ? w.secret_keys : [],
    allowPrivateTargets: w.allow_private_targets,
    maxPerProject: w.max_per_project,
    timeoutMs: w.timeout * 1000,
    retryBackoffBaseSeconds: w.retry_backoff_base,
    retryBackoffMaxSeconds: w.retry_backoff_max,
    retryForSeconds: w.retry_for,
    pollIntervalMs: w.poll_interval * 1000,
    maxParallel: w.max_parallel,
    retentionSeconds: w.delivery_retention,
  };
}

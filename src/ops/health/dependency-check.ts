import { DependencyUnreachable } from '../../openstack/outbound-http';
import { RefreshingCache } from '../../openstack/refreshing-cache';

/** Like the database check, a dependency probe answers well inside a Kubernetes probe timeout. */
export const DEPENDENCY_PROBE_TIMEOUT_MS = 2000;
/**
 * How long one probe result (good or bad) is reported again. However often `/healthcheck` is
 * called, a dependency is asked at most once per this period per process, so the health check
 * cannot be used to multiply load on Keystone or Ironic.
 */
export const DEPENDENCY_RESULT_TTL_MS = 10_000;

// A type, not an interface: it must fit the health report's open `CheckResult` shape.
export type DependencyResult = {
  readonly status: 'ok' | 'failing';
  readonly duration_ms: number;
  /** When the reported probe ran (ISO 8601, UTC): results are reused for a few seconds. */
  readonly checked_at: string;
  readonly error?: string;
};

/** One dependency's probe, run at most once per `DEPENDENCY_RESULT_TTL_MS`; concurrent checks share it. */
export class DependencyCheck {
  private readonly results = new RefreshingCache<'last', DependencyResult>(1);

  constructor(private readonly probe: (deadline: AbortSignal) => Promise<void>) {}

  result(): Promise<DependencyResult> {
    return this.results.get('last', async () => ({ value: await this.run(), ttlMs: DEPENDENCY_RESULT_TTL_MS }));
  }

  private async run(): Promise<DependencyResult> {
    const started = process.hrtime.bigint();
    const checkedAt = new Date().toISOString();
    const elapsed = () => Number((process.hrtime.bigint() - started) / 1000n) / 1000;
    try {
      await this.probe(AbortSignal.timeout(DEPENDENCY_PROBE_TIMEOUT_MS));
      return { status: 'ok', duration_ms: elapsed(), checked_at: checkedAt };
    } catch (err) {
      const error = err instanceof DependencyUnreachable ? err.failure.text : String((err as Error)?.message ?? err);
      return { status: 'failing', duration_ms: elapsed(), checked_at: checkedAt, error };
    }
  }
}

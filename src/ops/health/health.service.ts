import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Clock } from '../../common/clock';
import { toEpochMicros, toIso, UtcTime } from '../../common/time';
import { KeystoneAuthentication } from '../../auth/keystone/keystone-authentication';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { IronicClient } from '../../drivers/ironic/ironic-client';
import { ManagerMetrics } from '../../manager/manager-metrics';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from '../../notifications/notifications.tokens';
import { OpsRepository } from '../ops.repository';
import { BrokerConnection, hasStatusStream } from './broker-connection';
import { DependencyCheck } from './dependency-check';

/** A probe must answer well inside a Kubernetes probe timeout (1 s by default, we set 3 s). */
const DATABASE_TIMEOUT_MS = 2000;
/** On top of three sweep intervals: a run working through a large backlog is slow, not stuck. */
const MANAGER_GRACE_SECONDS = 60;

export type CheckName = 'database' | 'notifications' | 'manager' | 'keystone' | 'ironic';
export const CHECK_NAMES: readonly CheckName[] = ['database', 'notifications', 'manager', 'keystone', 'ironic'];

export interface CheckResult {
  readonly status: 'ok' | 'failing';
  readonly [detail: string]: unknown;
}

export interface HealthReport {
  readonly status: 'ok' | 'failing';
  readonly checks: Partial<Record<CheckName, CheckResult>>;
  readonly failing: CheckName[];
}

/**
 * What `/healthcheck` reports: the database always; the broker only where this process publishes
 * notifications; the manager loop only where this process runs the manager role; Keystone where
 * this process validates tokens; Ironic where it is the default resource type. The optional parts
 * are found at bootstrap, so the roles loaded decide what is checked. Keystone and Ironic results
 * are reused for a few seconds (DependencyCheck), so probes cannot multiply load on them.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private broker: BrokerConnection | null = null;
  private manager: ManagerMetrics | null = null;
  private keystone: DependencyCheck | null = null;
  private ironic: DependencyCheck | null = null;
  private readonly bootedAt: UtcTime;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly repository: OpsRepository,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {
    this.bootedAt = clock.now();
  }

  onApplicationBootstrap(): void {
    this.manager = this.find<ManagerMetrics>(ManagerMetrics);
    const settings = this.find<{ enabled?: boolean }>(NOTIFIER_SETTINGS);
    const publisher = this.find<unknown>(OSLO_NOTIFIER);
    if (settings?.enabled && hasStatusStream(publisher)) this.broker = new BrokerConnection(publisher.status);
    const authentication = this.config.pecan.auth_enable
      ? this.find<KeystoneAuthentication>(KeystoneAuthentication)
      : null;
    if (authentication) this.keystone = new DependencyCheck((deadline) => authentication.probe(deadline));
    const ironic =
      this.config.api.default_resource_type === 'ironic_node' ? this.find<IronicClient>(IronicClient) : null;
    if (ironic) this.ironic = new DependencyCheck((deadline) => ironic.probe(deadline));
  }

  onApplicationShutdown(): void {
    this.broker?.close();
  }

  /** Runs the checks asked for (all applicable ones by default) and says which fail. */
  async report(only?: readonly CheckName[]): Promise<HealthReport> {
    const wanted = (name: CheckName) => !only || only.length === 0 || only.includes(name);
    const checks: Partial<Record<CheckName, CheckResult>> = {};
    if (wanted('database')) checks.database = await this.checkDatabase();
    if (wanted('notifications') && this.broker) checks.notifications = this.checkBroker(this.broker);
    if (wanted('manager') && this.manager) checks.manager = this.checkManager(this.manager);
    const [keystone, ironic] = await Promise.all([
      wanted('keystone') ? this.keystone?.result() : undefined,
      wanted('ironic') ? this.ironic?.result() : undefined,
    ]);
    if (keystone) checks.keystone = keystone;
    if (ironic) checks.ironic = ironic;
    const failing = (Object.keys(checks) as CheckName[]).filter((name) => checks[name]!.status === 'failing');
    return { status: failing.length === 0 ? 'ok' : 'failing', checks, failing };
  }

  private async checkDatabase(): Promise<CheckResult> {
    const started = process.hrtime.bigint();
    try {
      await this.repository.ping(DATABASE_TIMEOUT_MS);
      return { status: 'ok', duration_ms: elapsedMs(started) };
    } catch (err) {
      // The driver's message, never the connection URL (which carries the password).
      return { status: 'failing', duration_ms: elapsedMs(started), error: String((err as Error)?.message ?? err) };
    }
  }

  private checkBroker(broker: BrokerConnection): CheckResult {
    return { status: broker.state === 'connected' ? 'ok' : 'failing', state: broker.state };
  }

  /**
   * The scheduler starts a run at most `sweep_interval` after the previous one ended, so a
   * last finished run older than a few intervals means the loop is stuck.
   */
  private checkManager(metrics: ManagerMetrics): CheckResult {
    const maxAge = 3 * this.config.manager.sweep_interval + MANAGER_GRACE_SECONDS;
    const since = metrics.lastRunFinishedAt ?? this.bootedAt;
    const age = Number(toEpochMicros(this.clock.now()) - toEpochMicros(since)) / 1e6;
    return {
      status: age <= maxAge ? 'ok' : 'failing',
      last_run_finished_at: metrics.lastRunFinishedAt && toIso(metrics.lastRunFinishedAt),
      last_run_age_seconds: Math.round(age * 1000) / 1000,
      max_age_seconds: maxAge,
    };
  }

  private find<T>(token: unknown): T | null {
    try {
      return this.moduleRef.get(token as string, { strict: false }) as T;
    } catch {
      return null;
    }
  }
}

function elapsedMs(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1000n) / 1000;
}

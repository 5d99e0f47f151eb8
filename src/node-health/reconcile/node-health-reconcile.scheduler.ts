import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { NodeHealthReconciler } from './node-health-reconciler';

/** The reconcile's loop in the manager role: at start, then every `[node_health] reconcile_interval`. */
@Injectable()
export class NodeHealthReconcileScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.node_health');
  private readonly task: PeriodicTask;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly reconciler: NodeHealthReconciler,
  ) {
    this.task = new PeriodicTask({
      name: 'node health reconcile',
      run: async () => {
        const { failed } = await this.reconciler.reconcile();
        if (failed > 0) throw new Error(`${failed} node(s) could not be reconciled`);
      },
      nextDelayMs: () => this.config.node_health.reconcile_interval * 1000,
      onError: (err) => this.logger.warn(`node health reconcile: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.node_health.reconcile_interval > 0) this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop((message) => this.logger.warn(message));
  }
}

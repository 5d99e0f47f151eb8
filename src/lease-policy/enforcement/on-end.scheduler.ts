import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { EnforcementClient } from './enforcement-client';
import { OnEndRelay } from './on-end-relay';

/** How often the outbox is looked at for ended leases; ends are never urgent to an enforcement service. */
const INTERVAL_MS = 2000;
/** After a failed pass the delay doubles per consecutive failure, up to this. */
const LONGEST_BACKOFF_MS = 60_000;

/** The on-end relay's loop in the manager/all roles, only while `[enforcement] external_url` is set. */
@Injectable()
export class OnEndScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('esi-leap.enforcement');
  private readonly task: PeriodicTask;

  constructor(
    private readonly client: EnforcementClient,
    relay: OnEndRelay,
  ) {
    this.task = new PeriodicTask({
      name: 'enforcement on-end calls',
      run: async () => void (await relay.relayPending()),
      nextDelayMs: ({ consecutiveFailures }) =>
        consecutiveFailures === 0 ? INTERVAL_MS : Math.min(INTERVAL_MS * 2 ** consecutiveFailures, LONGEST_BACKOFF_MS),
      onError: (err) => this.logger.warn(`on-end relay pass failed: ${String(err)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.client.enabled()) this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop((message) => this.logger.warn(message));
  }
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { addSeconds, UtcTime } from '../../common/time';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { LeaseWorkRepository } from '../data/lease-work.repository';
import { PlannedTransition } from './transitions';

/** A set of leases one process is calling the driver for. */
export interface LeaseClaim {
  readonly token: string;
  readonly claimed: readonly PlannedTransition[];
}

/**
 * Claims on leases whose driver calls are under way. A transition claims its leases in the
 * transaction that decides it, calls the driver with no transaction open, and records the
 * outcome only while it still holds the claim. The holder renews its claims while its calls
 * run; one that dies stops renewing, and after `[manager] claim_timeout` seconds any manager
 * takes the leases again (driver calls are idempotent, so doing one twice is harmless).
 */
@Injectable()
export class LeaseClaims implements OnApplicationShutdown {
  private readonly logger = new Logger('esi-leap.leases');
  private readonly prefix = `${hostname().slice(0, 30)}:${process.pid}`;
  private readonly held = new Set<string>();
  private renewal: NodeJS.Timeout | null = null;

  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly work: LeaseWorkRepository,
  ) {}

  /**
   * Inside the deciding transaction, with the resources' locks held: claims the planned leases
   * whose node nobody else is calling the driver for. One holder at a time per node keeps two
   * processes from changing one node at once (a lease ending while the next one starts). The
   * leases left out keep the status the decision gave them; the manager takes them once the
   * other claim is over: their holder hands them back, or its claim lapses.
   */
  async take(em: EntityManager, planned: readonly PlannedTransition[], now: UtcTime): Promise<LeaseClaim> {
    const token = `${this.prefix}:${randomUUID().slice(0, 13)}`;
    const busy = await this.work.resourcesClaimed(
      em,
      planned.map((p) => p.lease),
      now,
    );
    const claimed = planned.filter((p) => !busy.has(`${p.lease.resourceType}/${p.lease.resourceUuid}`));
    await this.work.claim(
      em,
      claimed.map((p) => p.lease.uuid),
      token,
      this.until(now),
    );
    return { token, claimed };
  }

  /** Runs `calls` while keeping the claim of `token` alive. */
  async hold<T>(token: string, calls: () => Promise<T>): Promise<T> {
    this.held.add(token);
    this.renewal ??= setInterval(() => void this.renew(), (this.config.manager.claim_timeout * 1000) / 3).unref();
    try {
      return await calls();
    } finally {
      this.held.delete(token);
      if (this.held.size === 0) this.stopRenewal();
    }
  }

  onApplicationShutdown(): void {
    this.stopRenewal();
  }

  private until(now: UtcTime): UtcTime {
    return addSeconds(now, this.config.manager.claim_timeout);
  }

  private async renew(): Promise<void> {
    try {
      await this.work.renew([...this.held], this.until(this.clock.now()));
    } catch (err) {
      // The claims then lapse, and another manager may repeat the driver calls: harmless.
      this.logger.warn(`could not renew lease claims: ${String(err)}`);
    }
  }

  private stopRenewal(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
  }
}

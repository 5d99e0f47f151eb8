import { DynamicModule, Module } from '@nestjs/common';
import { IdleHeapCollector } from '../common/garbage-collection';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { RequestObserver } from './logging/request-observer';
import { EsiLeapMetrics } from './metrics/esi-leap-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { OpsRepository } from './ops.repository';

/**
 * What operators and orchestrators use in every role: `/healthcheck`, the per-request log line
 * (which also tells the IdleHeapCollector that work was done) and, with `[metrics] enabled`,
 * `/metrics`. Without the flag the metrics code is not loaded at all, so the route does not
 * exist.
 */
@Module({})
export class OpsModule {
  static forRoot(config: EsiLeapConfig): DynamicModule {
    const metrics = config.metrics.enabled;
    return {
      module: OpsModule,
      controllers: [HealthController, ...(metrics ? [MetricsController] : [])],
      providers: [
        OpsRepository,
        HealthService,
        RequestObserver,
        { provide: IdleHeapCollector, useFactory: () => new IdleHeapCollector() },
        ...(metrics ? [EsiLeapMetrics] : []),
      ],
      exports: [RequestObserver],
    };
  }
}

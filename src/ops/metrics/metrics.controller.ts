import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { EsiLeapMetrics } from './esi-leap-metrics';
import { Public } from '../../policy/policy.decorator';

export const METRICS_PATH = '/metrics';

/** Prometheus scrape endpoint; registered only with `[metrics] enabled`, and public like `/`. */
@ApiTags('operations')
@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: EsiLeapMetrics) {}

  @Get(METRICS_PATH.slice(1))
  @ApiOperation({ summary: 'Prometheus metrics (only with [metrics] enabled = true)' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text exposition format 0.0.4',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example: 'esi_leap_http_requests_total{method="GET",route="/v1/offers",status="200"} 3\n',
      },
    },
  })
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    res.status(200).setHeader('Content-Type', this.metrics.registry.contentType);
    res.end(body);
  }
}

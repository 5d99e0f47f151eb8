import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { routingErrorFor } from '../../common/http/routing-errors';
import { InjectConfig } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { EsiLeapMetrics } from './esi-leap-metrics';
import { Public } from '../../policy/policy.decorator';

export const METRICS_PATH = '/metrics';

/**
 * Prometheus scrape endpoint, registered only with `[metrics] enabled`. It needs no token, so it
 * answers on `[DEFAULT] status_port` only: on the API's port it does not exist (404), so API
 * clients never see it and a NetworkPolicy can open the status port to the scraper alone.
 */
@ApiTags('operations')
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: EsiLeapMetrics,
    @InjectConfig() private readonly config: EsiLeapConfig,
  ) {}

  @Get(METRICS_PATH.slice(1))
  @ApiOperation({ summary: 'Prometheus metrics, on [DEFAULT] status_port only (with [metrics] enabled = true)' })
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
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (req.socket.localPort !== this.config.DEFAULT.status_port) throw routingErrorFor(req.method, req.path);
    const body = await this.metrics.registry.metrics();
    res.status(200).setHeader('Content-Type', this.metrics.registry.contentType);
    res.end(body);
  }
}

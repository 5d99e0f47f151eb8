import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { sendJson } from '../../common/http/json-response';
import { FAULT_SCHEMA, HEALTH_SCHEMA } from '../openapi/api-schemas';
import { CHECK_NAMES, CheckName, HealthService } from './health.service';
import { Public } from '../../policy/policy.decorator';

export const HEALTH_PATH = '/healthcheck';

/**
 * Public, like `/`: load balancers and Kubernetes probes carry no token. It
 * answers with sendJson itself because processes without the API role have no exception filter.
 */
@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get(HEALTH_PATH.slice(1))
  @ApiOperation({
    summary:
      'Health of this process: database, notification broker (where published), manager loop (where run), ' +
      'Keystone (where tokens are validated), Ironic (where it is the default resource type)',
  })
  @ApiQuery({
    name: 'check',
    required: false,
    description: `Comma-separated subset of ${CHECK_NAMES.join(', ')}; default all that apply here`,
    schema: { type: 'string' },
  })
  @ApiResponse({ status: 200, description: 'Every check passed', schema: HEALTH_SCHEMA })
  @ApiResponse({ status: 400, description: 'Unknown check name', schema: FAULT_SCHEMA })
  @ApiResponse({
    status: 503,
    description: 'At least one check failed; `failing` names them',
    schema: HEALTH_SCHEMA,
  })
  async check(@Query('check') check: unknown, @Res() res: Response): Promise<void> {
    const names = typeof check === 'string' && check !== '' ? check.split(',') : [];
    const unknown = names.filter((name) => !CHECK_NAMES.includes(name as CheckName));
    if (unknown.length > 0 || (check !== undefined && typeof check !== 'string')) {
      sendJson(res, 400, {
        faultcode: 'Client',
        faultstring: `Unknown health check: ${unknown.join(', ') || String(check)}`,
        debuginfo: null,
      });
      return;
    }
    const report = await this.health.report(names as CheckName[]);
    sendJson(res, report.status === 'ok' ? 200 : 503, report);
  }
}

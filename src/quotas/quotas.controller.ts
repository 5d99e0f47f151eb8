import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiFaults, ApiJsonResponse, ApiQueryParams } from '../ops/openapi/api-docs.decorators';
import { Policy, PolicyObject } from '../policy/policy.decorator';
import { QUOTA_QUERY_PARAMS, quotaTarget } from './quota-policy-target';
import { QUOTAS_SCHEMA } from './quota-schemas';
import { QuotasService } from './quotas.service';

@ApiTags('quotas')
@Controller('v1/quotas')
export class QuotasController {
  constructor(private readonly quotas: QuotasService) {}

  /** The query is checked by the policy target, which reads `project_id` from it. */
  @Get()
  @Policy('esi_leap:quota:get', quotaTarget())
  @ApiOperation({ summary: "A project's quotas and their usage, and the lease limits it books under" })
  @ApiQueryParams(QUOTA_QUERY_PARAMS)
  @ApiJsonResponse(200, 'Quotas, usage and lease limits', QUOTAS_SCHEMA)
  @ApiFaults()
  show(@PolicyObject() projectId: string) {
    return this.quotas.show(projectId);
  }
}

import { Injectable } from '@nestjs/common';
import { requireProject } from '../auth/request-context';
import { HTTPResourceForbidden } from '../common/errors/esi-leap.exceptions';
import { parseQuery } from '../common/http/query-params';
import {
  PolicyRequest,
  PolicyTargetResolver,
  PolicyTargetSpec,
  ResolvedPolicyTarget,
} from '../policy/policy.decorator';
import { ProjectDirectory } from '../projects/project-directory';

export const QUOTA_QUERY_PARAMS = { project_id: 'string' } as const;

/**
 * The project `GET /v1/quotas` is about: `project_id` (an id or a name), by default the
 * caller's own. The rule sees it as `quota.project_id`.
 */
@Injectable()
export class QuotaPolicyTarget implements PolicyTargetResolver<string, null> {
  constructor(private readonly projects: ProjectDirectory) {}

  async resolve(request: PolicyRequest): Promise<ResolvedPolicyTarget<string>> {
    const ctx = request.esiLeapContext!;
    const query = parseQuery(request.query, QUOTA_QUERY_PARAMS);
    const projectId =
      query.project_id === undefined ? requireProject(ctx) : await this.projects.resolve(query.project_id);
    return {
      object: projectId,
      target: { ...ctx.creds, 'quota.project_id': projectId },
      denied: () => new HTTPResourceForbidden({ resource_type: 'project', resource: projectId }),
    };
  }
}

export function quotaTarget(): PolicyTargetSpec<string, null> {
  return { resolver: QuotaPolicyTarget, options: null };
}

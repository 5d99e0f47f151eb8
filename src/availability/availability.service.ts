import { Injectable } from '@nestjs/common';
import { RequestContext, requireProject } from '../auth/request-context';
import { Clock } from '../common/clock';
import { ClientError } from '../common/errors/esi-leap.exceptions';
import { addDays, longerThanDays, maxTime } from '../common/time';
import { BookableFleet } from '../leasing/selection/bookable-fleet';
import { AvailabilityQuery, DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS } from './availability-query';
import { availabilityWindows } from './availability-windows';

/**
 * `GET /v1/availability`: when `count` matching nodes are free at once for a duration, as the
 * caller may book them (offers it may claim, or with `source=owned` the nodes its project owns),
 * computed by one sweep over the fleet's free windows (BookableFleet, findCapacityWindows).
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly clock: Clock,
    private readonly fleet: BookableFleet,
  ) {}

  async search(ctx: RequestContext, query: AvailabilityQuery): Promise<{ windows: Record<string, unknown>[] }> {
    const projectId = requireProject(ctx);
    const now = this.clock.now();
    // A window cannot start in the past: nothing could be booked there any more.
    const notBefore = maxTime(query.notBefore ?? now, now);
    const notAfter = query.notAfter ?? addDays(notBefore, DEFAULT_HORIZON_DAYS);
    if (notAfter <= notBefore) return { windows: [] };
    if (longerThanDays(notBefore, notAfter, MAX_HORIZON_DAYS)) {
      throw new ClientError(`not_after is at most ${MAX_HORIZON_DAYS} days after not_before (or now).`);
    }
    const fleet = await this.fleet.load({
      creds: ctx.creds,
      projectId,
      source: query.source,
      resourceClass: query.resourceClass,
      constraints: query.constraints,
      from: notBefore,
      to: notAfter,
    });
    return {
      windows: availabilityWindows(fleet, {
        count: query.count,
        durationSeconds: query.durationSeconds,
        notBefore,
        notAfter,
        limit: query.limit,
      }),
    };
  }
}

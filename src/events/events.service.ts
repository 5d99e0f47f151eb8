import { Injectable } from '@nestjs/common';
import { RequestContext } from '../auth/request-context';
import { toIso, UtcTime } from '../common/time';
import { AccessRules } from '../leasing/booking/access-rules';
import { IdentResolver } from '../leasing/data/ident-resolver';
import { ProjectDirectory } from '../projects/project-directory';
import { EventEntity } from '../leasing/data/event.entity';
import { EventsRepository } from '../leasing/data/events.repository';

export interface EventListQuery {
  last_event_id?: number;
  lessee_or_owner_id?: string;
  last_event_time?: UtcTime;
  event_type?: string;
  resource_type?: string;
  resource_uuid?: string;
}

/** `GET /v1/events`: a cursor over the event log, in id order. */
@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsRepository,
    private readonly access: AccessRules,
    private readonly projects: ProjectDirectory,
    private readonly resolver: IdentResolver,
  ) {}

  async list(ctx: RequestContext, query: EventListQuery): Promise<Record<string, unknown>[]> {
    // Non-admins only ever see their own project's events, whatever they asked for; a caller
    // without a project has none.
    const admin = this.access.isOfferAdmin(ctx.creds);
    if (!admin && !ctx.creds.project_id) return [];
    const requested = admin ? query.lessee_or_owner_id : ctx.creds.project_id!;
    const lesseeOrOwnerId = requested === undefined ? undefined : await this.projects.resolve(requested);
    const { resourceType, resourceUuid } = await this.resolver.resourceFilter(query.resource_type, query.resource_uuid);
    const rows = await this.events.list({
      lastEventId: query.last_event_id,
      lastEventTime: query.last_event_time,
      lesseeOrOwnerId,
      eventType: query.event_type,
      resourceType,
      resourceUuid,
    });
    return rows.map(render);
  }
}

function render(e: EventEntity): Record<string, unknown> {
  return {
    id: e.id,
    event_type: e.eventType,
    event_time: toIso(e.eventTime),
    object_type: e.objectType,
    object_uuid: e.objectUuid,
    resource_type: e.resourceType,
    resource_uuid: e.resourceUuid,
    lessee_id: e.lesseeId,
    owner_id: e.ownerId,
  };
}

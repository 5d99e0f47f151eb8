import { Injectable } from '@nestjs/common';
import { RequestContext } from '../auth/request-context';
import { MarkerNotFound } from '../common/errors/esi-leap.exceptions';
import { PageRequest } from '../common/http/list-paging';
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

  /**
   * `page`: events have no uuid, so a paged list's marker is an event id (the `id` of the last
   * event shown); the list goes on after it and after `last_event_id` alike.
   */
  async list(ctx: RequestContext, query: EventListQuery, page?: PageRequest): Promise<Record<string, unknown>[]> {
    // Non-admins only ever see their own project's events, whatever they asked for; a caller
    // without a project has none.
    const admin = this.access.isOfferAdmin(ctx.creds);
    // Ids are guessable: a marker must be an event the caller may see, so that it tells
    // nothing of other projects' events.
    const afterId = await this.markerId(page, admin ? undefined : (ctx.creds.project_id ?? ''));
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
      afterId,
      // One more than asked for: how the paged list knows a next page is due.
      limit: page?.limit === undefined ? undefined : page.limit + 1,
    });
    return rows.map(render);
  }

  private async markerId(page: PageRequest | undefined, visibleTo: string | undefined): Promise<number | undefined> {
    if (page?.marker === undefined) return undefined;
    const id = /^\d{1,15}$/.test(page.marker) ? Number(page.marker) : null;
    if (id === null || !(await this.events.exists(id, visibleTo))) throw new MarkerNotFound({ marker: page.marker });
    return id;
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

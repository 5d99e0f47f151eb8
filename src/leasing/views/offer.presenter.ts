import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Listed } from '../../common/entity-rows';
import { OfferStatus } from '../data/statuses';
import { toIso, UtcTime } from '../../common/time';
import { ResourceDecoration, ResourceDecorator } from './resource-decorator';
import { offerAvailabilities } from './offer-availabilities';
import { BookingGaps, padIntervals } from '../limits/booking-gaps';
import { BusyIntervalsRepository, Interval } from '../data/busy-intervals.repository';
import { ProjectDirectory } from '../../projects/project-directory';
import { OfferEntity } from '../data/offer.entity';
import { NodeHealth, nodeKey } from '../health/node-health';

export type OfferView = Record<string, unknown>;

/**
 * Renders offers in upstream's attribute order with their decoration. An offer on
 * a node recorded unhealthy shows no availabilities: nothing can be claimed from it until the
 * node recovers (docs/node-health.md).
 */
@Injectable()
export class OfferPresenter {
  constructor(
    private readonly clock: Clock,
    private readonly projects: ProjectDirectory,
    private readonly resources: ResourceDecorator,
    private readonly busyIntervals: BusyIntervalsRepository,
    private readonly gaps: BookingGaps,
    private readonly health: NodeHealth,
  ) {}

  /**
   * `known`: the offer's busy intervals ending after `now` and whether its node may be leased,
   * when the caller read them already.
   */
  async one(
    offer: OfferEntity,
    known?: { busy: readonly Interval[]; now: UtcTime; healthy: boolean },
  ): Promise<OfferView> {
    const now = known?.now ?? this.clock.now();
    const available = offer.status === OfferStatus.AVAILABLE;
    const [project, lessee, resource, busy, healthy] = await Promise.all([
      this.projects.nameOf(offer.projectId),
      this.projects.nameOf(offer.lesseeId),
      this.resources.single(offer),
      known || !available
        ? known?.busy
        : this.busyIntervals.ofOffers<string>({ uuids: [offer.uuid] }, now).then((byOffer) => byOffer.get(offer.uuid)),
      known ? known.healthy : !available || this.health.isHealthy(offer),
    ]);
    return this.render(offer, project, lessee, resource, busy ?? [], now, healthy);
  }

  /**
   * Lists read projects and resources once for all rows, with the busy intervals the caller
   * read for them by offer id (BusyIntervalsRepository.ofOffers, ending after `now`), then
   * render each row only when it is iterated: the response writes them out a chunk at a time
   * (PagedJsonList).
   */
  async many(
    offers: readonly Listed<OfferEntity>[],
    busy: ReadonlyMap<number, readonly Interval[]>,
    now: UtcTime,
  ): Promise<Iterable<OfferView>> {
    if (offers.length === 0) return [];
    const [names, resourceOf, unhealthy] = await Promise.all([
      this.projects.names(),
      this.resources.forList(offers),
      this.health.unhealthyAmong(offers.filter((o) => o.status === OfferStatus.AVAILABLE)),
    ]);
    const name = (id: string | null) => (id ? (names.get(id) ?? '') : '');
    const render = (o: Listed<OfferEntity>) =>
      this.render(
        o,
        name(o.projectId),
        name(o.lesseeId),
        resourceOf(o),
        busy.get(o.id) ?? [],
        now,
        !unhealthy.has(nodeKey(o)),
      );
    return (function* rows() {
      for (const o of offers) yield render(o);
    })();
  }

  private render(
    offer: Listed<OfferEntity>,
    project: string,
    lessee: string,
    resource: ResourceDecoration,
    busy: readonly Interval[],
    now: UtcTime,
    healthy: boolean,
  ): OfferView {
    // Each lease keeps the node's cleaning time free around it, so what is shown free can be claimed.
    const gap = this.gaps.gapMicros(resource.resource_class);
    const windows =
      offer.status === OfferStatus.AVAILABLE && healthy
        ? offerAvailabilities(offer.startTime, offer.endTime, padIntervals(busy, gap), now)
        : [];
    return {
      name: offer.name,
      uuid: offer.uuid,
      project_id: offer.projectId,
      project,
      lessee_id: offer.lesseeId,
      lessee,
      resource_type: offer.resourceType,
      resource_uuid: offer.resourceUuid,
      resource: resource.resource,
      resource_class: resource.resource_class,
      resource_properties: resource.resource_properties,
      start_time: offer.startTime === null ? null : toIso(offer.startTime),
      end_time: offer.endTime === null ? null : toIso(offer.endTime),
      status: offer.status,
      properties: offer.properties,
      availabilities: windows.map(([s, e]) => [toIso(s), toIso(e)]),
      parent_lease_uuid: offer.parentLeaseUuid,
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { RequestContext } from '../auth/request-context';
import { Clock } from '../common/clock';
import { MarkerNotFound } from '../common/errors/esi-leap.exceptions';
import { listConstraints } from '../common/http/list-filters';
import { PageRequest, readSize } from '../common/http/list-paging';
import { matchesAllConstraints } from '../constraints/constraint-evaluator';
import { LeaseStatus, OfferStatus } from '../leasing/data/statuses';
import { LeasesRepository } from '../leasing/data/leases.repository';
import { OffersRepository } from '../leasing/data/offers.repository';
import { ProjectDirectory } from '../projects/project-directory';
import { InventoryNode } from '../drivers/resource-driver';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';

export interface NodeListQuery {
  resource_class?: string;
  owner?: string;
  lessee?: string;
  constraint?: string[];
}

export type NodeView = Record<string, unknown>;

/** Nodes decorated per pair of queries by `GET /v1/nodes`. */
export const NODE_LIST_PAGE = 2000;

/**
 * `GET /v1/nodes`: the inventory of the default resource type's driver, listed
 * with the caller's token so the backend decides visibility, decorated with their offers and
 * leases one page of nodes at a time, as the response is written (one offers query and one
 * leases query per NODE_LIST_PAGE nodes).
 */
@Injectable()
export class NodesService {
  constructor(
    @Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig,
    private readonly clock: Clock,
    private readonly drivers: ResourceDriverRegistry,
    private readonly projects: ProjectDirectory,
    private readonly offers: OffersRepository,
    private readonly leases: LeasesRepository,
  ) {}

  /**
   * The inventory comes from the driver whole; the database rows that decorate it are read a
   * page of nodes at a time (PagedJsonList), the first page before anything is sent. The pages
   * are separate statements, as for the lease list (LeasesService.list): each page shows the
   * offers and leases of its nodes as they were when it was read.
   *
   * Constraints select nodes by their `properties` before any is decorated. A paged list
   * (`page`) keeps the driver's order, which is stable (Ironic lists by id, so a node enrolled
   * meanwhile comes last): it starts after the marker's place in the inventory, and decorates
   * no more nodes than it shows.
   */
  async list(
    ctx: RequestContext,
    query: NodeListQuery,
    page?: PageRequest,
  ): Promise<AsyncIterable<Iterable<NodeView>>> {
    const constraints = listConstraints(query.constraint);
    const owner = query.owner === undefined ? undefined : await this.projects.resolve(query.owner);
    const lessee = query.lessee === undefined ? undefined : await this.projects.resolve(query.lessee);
    const driver = this.drivers.get(this.config.api.default_resource_type);
    const inventory = driver.listNodes
      ? await driver.listNodes({ resourceClass: query.resource_class, owner, lessee }, ctx.authToken)
      : [];
    const afterMarker = page?.marker === undefined ? inventory : inventory.slice(markerPlace(inventory, page.marker) + 1);
    const nodes = constraints ? afterMarker.filter((n) => matchesAllConstraints(n.properties, constraints)) : afterMarker;
    const pageSize = readSize(page, NODE_LIST_PAGE);
    const names = await this.projects.names();
    // One "now" for the whole list, however long its client takes to read it.
    const now = this.clock.now();
    const name = (id: string | null) => (id ? (names.get(id) ?? '') : '');
    const decoratePage = async (page: readonly InventoryNode[]): Promise<Iterable<NodeView>> => {
      if (page.length === 0) return [];
      const uuids = page.map((n) => n.uuid);
      const [offers, leases] = await Promise.all([
        this.offers.onResources(driver.resourceType, uuids, [OfferStatus.AVAILABLE]),
        this.leases.uuidsOnResources(driver.resourceType, uuids, [LeaseStatus.CREATED]),
      ]);
      // Grouped once per page: filtering the whole lists per node is quadratic on a large fleet.
      const offersOn = groupByResource(offers);
      const leasesOn = groupByResource(leases);
      const renderNode = (node: InventoryNode) => {
        const onNode = offersOn.get(node.uuid) ?? [];
        const current = onNode.filter((o) => o.startTime <= now && o.endTime >= now).pop();
        return render(node, {
          owner: name(node.ownerProjectId),
          lessee: name(node.lesseeProjectId),
          offerUuid: current?.uuid,
          futureOffers: onNode.filter((o) => o.startTime > now).map((o) => o.uuid),
          futureLeases: (leasesOn.get(node.uuid) ?? []).map((l) => l.uuid),
        });
      };
      return (function* rows() {
        for (const node of page) yield renderNode(node);
      })();
    };
    const first = await decoratePage(nodes.slice(0, pageSize));
    return (async function* pages() {
      yield first;
      for (let start = pageSize; start < nodes.length; start += pageSize) {
        yield await decoratePage(nodes.slice(start, start + pageSize));
      }
    })();
  }
}

function markerPlace(nodes: readonly InventoryNode[], marker: string): number {
  const at = nodes.findIndex((n) => n.uuid === marker);
  if (at < 0) throw new MarkerNotFound({ marker });
  return at;
}

/** Rows per resource UUID, each list in the rows' original order. */
function groupByResource<T extends { resourceUuid: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.resourceUuid);
    if (group) group.push(row);
    else groups.set(row.resourceUuid, [row]);
  }
  return groups;
}

interface NodeDecoration {
  owner: string;
  lessee: string;
  offerUuid: string | undefined;
  futureOffers: string[];
  futureLeases: string[];
}

function render(node: InventoryNode, d: NodeDecoration): NodeView {
  const view: NodeView = {
    name: node.name,
    owner: d.owner,
    maintenance: node.maintenance ? 'True' : 'False',
    provision_state: node.provisionState,
    target_provision_state: node.targetProvisionState,
    power_state: node.powerState,
    target_power_state: node.targetPowerState,
    properties: node.properties,
    resource_class: node.resourceClass,
    uuid: node.uuid,
  };
  // Both keys are omitted, not null, when not applicable, as upstream.
  if (d.offerUuid !== undefined) view.offer_uuid = d.offerUuid;
  if (node.hasLeaseUuidKey) view.lease_uuid = node.leaseUuid;
  view.lessee = d.lessee;
  view.future_offers = d.futureOffers;
  view.future_leases = d.futureLeases;
  return view;
}

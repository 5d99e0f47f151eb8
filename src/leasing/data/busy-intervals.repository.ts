import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { entityFromRow } from '../../common/entity-rows';
import { fromDb, UtcTime } from '../../common/time';
import { isMysqlDataSource } from '../../db/dialect';
import { OfferEntity } from './offer.entity';
import { LEASE_OCCUPYING, NODE_UNLEASABLE, OfferStatus } from './statuses';

/** A half-open window `[start, end)`. */
export type Interval = readonly [UtcTime, UtcTime];

/** Which offers to read busy intervals for: by id (list pages) or by uuid. */
export type OfferSelection = { readonly ids: readonly number[] } | { readonly uuids: readonly string[] };

const OCCUPYING_PLACEHOLDERS = LEASE_OCCUPYING.map(() => '?').join(', ');
/** The leases that make an offer busy: occupying, and not over before the windows of interest. */
const OCCUPYING_LEASES_OF_OFFER = `l.offer_uuid = o.uuid AND l.status IN (${OCCUPYING_PLACEHOLDERS}) AND l.end_time > ?`;
const OCCUPYING: ReadonlySet<unknown> = new Set(LEASE_OCCUPYING);

/**
 * The busy intervals of offers (their occupying leases' windows), from which availabilities
 * and availability filters are computed: one statement for any set of offers, and one for
 * showing a single offer with its intervals in a single round trip (the hottest read).
 */
@Injectable()
export class BusyIntervalsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Intervals ending after `endingAfter` of the selected offers, keyed like the selection.
   * The join order is forced, offers first, then each offer's leases through
   * `lease_offer_busy_idx`: left to itself MariaDB sometimes scanned the whole lease index
   * instead (26 ms instead of 4.5 ms for one owner's 1k offers; docs/performance.md). Per
   * offer the intervals come in no particular order.
   */
  async ofOffers<K extends number | string>(
    selection: OfferSelection,
    endingAfter: UtcTime,
  ): Promise<Map<K, Interval[]>> {
    const byId = 'ids' in selection;
    const keys: readonly (number | string)[] = byId ? selection.ids : selection.uuids;
    if (keys.length === 0) return new Map();
    // STRAIGHT_JOIN on MySQL and CROSS JOIN on SQLite both keep the left table as the outer loop.
    const join = isMysqlDataSource(this.dataSource) ? 'STRAIGHT_JOIN' : 'CROSS JOIN';
    const rows = (await this.dataSource.query(
      `SELECT o.${byId ? 'id' : 'uuid'} AS offer, l.start_time AS start_time, l.end_time AS end_time ` +
        `FROM offers o ${join} leases l ON ${OCCUPYING_LEASES_OF_OFFER} ` +
        `WHERE o.${byId ? 'id' : 'uuid'} IN (${keys.map(() => '?').join(', ')})`,
      [...LEASE_OCCUPYING, endingAfter, ...keys],
    )) as { offer: K; start_time: unknown; end_time: unknown }[];
    const result = new Map<K, Interval[]>();
    for (const row of rows) {
      const key = (byId ? Number(row.offer) : row.offer) as K;
      const interval: Interval = [fromDb(row.start_time)!, fromDb(row.end_time)!];
      const list = result.get(key);
      if (list) list.push(interval);
      else result.set(key, [interval]);
    }
    return result;
  }

  /**
   * `GET /v1/offers/{uuid}` in one round trip: the offer and, when it is available, its busy
   * intervals ending after `endingAfter`, and why its node may not be leased (null when it may:
   * no `node_health` row in an unleasable state). Written out rather than built: building the
   * query cost as much as running it, and reading the node's health in a second statement took
   * a tenth of the request's CPU (docs/performance.md). The leases' statuses are filtered here,
   * not in SQL: an IN list in a LEFT JOIN made MariaDB's range analysis cost more than the few
   * extra rows. Null when there is no such offer.
   */
  async offerWithIntervals(
    uuid: string,
    endingAfter: UtcTime,
  ): Promise<{ offer: OfferEntity; busy: Interval[]; nodeProblem: string | null } | null> {
    const rows = (await this.dataSource.query(
      'SELECT o.*, l.status AS busy_status, l.start_time AS busy_start, l.end_time AS busy_end, ' +
        'h.state AS node_state, h.reason AS node_reason FROM offers o ' +
        'LEFT JOIN leases l ON l.offer_uuid = o.uuid AND o.status = ? AND l.end_time > ? ' +
        `LEFT JOIN node_health h ON h.resource_type = o.resource_type AND h.resource_uuid = o.resource_uuid AND h.state IN (${NODE_UNLEASABLE.map(() => '?').join(', ')}) ` +
        'WHERE o.uuid = ?',
      [OfferStatus.AVAILABLE, endingAfter, ...NODE_UNLEASABLE, uuid],
    )) as Record<string, unknown>[];
    if (rows.length === 0) return null;
    const busy: Interval[] = [];
    for (const row of rows) {
      if (OCCUPYING.has(row.busy_status)) busy.push([fromDb(row.busy_start)!, fromDb(row.busy_end)!]);
    }
    const first = rows[0];
    const nodeProblem = first.node_state == null ? null : ((first.node_reason as string | null) ?? 'unhealthy');
    return { offer: entityFromRow(this.dataSource, OfferEntity, first), busy, nodeProblem };
  }
}

/** Whether any of `intervals` overlaps `[start, end)`. */
export function overlapsAny(intervals: readonly Interval[] | undefined, start: UtcTime, end: UtcTime): boolean {
  return (intervals ?? []).some(([s, e]) => s < end && e > start);
}

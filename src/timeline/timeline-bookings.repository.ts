import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { fromDb, UtcTime } from '../common/time';
import { LeaseStatusName, OfferStatusName } from '../leasing/data/statuses';

/** The columns of an offer the timeline draws. */
export interface TimelineOffer {
  readonly uuid: string;
  readonly name: string | null;
  readonly projectId: string;
  readonly lesseeId: string | null;
  readonly resourceUuid: string;
  readonly startTime: UtcTime;
  readonly endTime: UtcTime;
  readonly status: OfferStatusName;
  readonly parentLeaseUuid: string | null;
}

/** The columns of a lease the timeline draws. */
export interface TimelineLease {
  readonly uuid: string;
  readonly name: string | null;
  readonly projectId: string;
  readonly ownerId: string;
  readonly purpose: string | null;
  readonly resourceUuid: string;
  readonly startTime: UtcTime;
  readonly endTime: UtcTime;
  readonly status: LeaseStatusName;
  readonly offerUuid: string | null;
  readonly parentLeaseUuid: string | null;
}

export interface TimelineWindowQuery {
  readonly resourceType: string;
  readonly resourceUuids: readonly string[];
  readonly start: UtcTime;
  readonly end: UtcTime;
  readonly offerStatuses: readonly OfferStatusName[];
  readonly leaseStatuses: readonly LeaseStatusName[];
}

/**
 * Resources per statement. One statement covers a fleet of this size; a larger one takes a few,
 * which keeps every IN list well below SQLite's and MySQL's bound-parameter limits.
 */
export const TIMELINE_UUIDS_PER_STATEMENT = 5000;

/**
 * The timeline's two reads: the offers and the leases of the listed resources that overlap the
 * window, only the columns it draws, raw rows rather than entities (it reads tens of thousands
 * of rows for a month of a large fleet). Both are served by the `(resource_type,
 * resource_uuid)` indexes. The columns are named as TimelineOffer's and TimelineLease's fields,
 * so that the driver's rows are the answer, not copied into a second object each: those rows
 * live until the answer is written, and every copy was more for the young-generation
 * collections to move and promote.
 */
@Injectable()
export class TimelineBookingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async offers(query: TimelineWindowQuery): Promise<TimelineOffer[]> {
    return this.overlapping<TimelineOffer>(
      'offers',
      'uuid, name, project_id AS projectId, lessee_id AS lesseeId, resource_uuid AS resourceUuid, ' +
        'start_time AS startTime, end_time AS endTime, status, parent_lease_uuid AS parentLeaseUuid',
      query,
      query.offerStatuses,
    );
  }

  async leases(query: TimelineWindowQuery): Promise<TimelineLease[]> {
    return this.overlapping<TimelineLease>(
      'leases',
      'uuid, name, project_id AS projectId, owner_id AS ownerId, purpose, resource_uuid AS resourceUuid, ' +
        'start_time AS startTime, end_time AS endTime, status, offer_uuid AS offerUuid, ' +
        'parent_lease_uuid AS parentLeaseUuid',
      query,
      query.leaseStatuses,
    );
  }

  /**
   * Rows of `table` on the resources, in one of `statuses`, overlapping `[start, end)`, in no
   * particular order (a sort of the whole month cost more than the rows need: the chart places
   * bars by time). Written out rather than built with the query builder: building it for a
   * thousand-entry IN list cost more than running it.
   */
  private async overlapping<T extends { startTime: UtcTime; endTime: UtcTime }>(
    table: 'offers' | 'leases',
    columns: string,
    query: TimelineWindowQuery,
    statuses: readonly string[],
  ): Promise<T[]> {
    if (query.resourceUuids.length === 0 || statuses.length === 0) return [];
    const rows: T[] = [];
    for (let at = 0; at < query.resourceUuids.length; at += TIMELINE_UUIDS_PER_STATEMENT) {
      const uuids = query.resourceUuids.slice(at, at + TIMELINE_UUIDS_PER_STATEMENT);
      const sql =
        `SELECT ${columns} FROM ${table} WHERE resource_type = ? ` +
        `AND resource_uuid IN (${uuids.map(() => '?').join(', ')}) ` +
        `AND status IN (${statuses.map(() => '?').join(', ')}) ` +
        'AND start_time < ? AND end_time > ?';
      const page = (await this.dataSource.query(sql, [
        query.resourceType,
        ...uuids,
        ...statuses,
        query.end,
        query.start,
      ])) as Writable<T>[];
      for (const row of page) {
        row.startTime = fromDb(row.startTime)!;
        row.endTime = fromDb(row.endTime)!;
        rows.push(row);
      }
    }
    return rows;
  }
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

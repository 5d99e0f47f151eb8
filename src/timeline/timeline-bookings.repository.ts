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
 * resource_uuid)` indexes.
 */
@Injectable()
export class TimelineBookingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async offers(query: TimelineWindowQuery): Promise<TimelineOffer[]> {
    const rows = await this.overlapping(
      'offers',
      'uuid, name, project_id, lessee_id, resource_uuid, start_time, end_time, status, parent_lease_uuid',
      query,
      query.offerStatuses,
    );
    return rows.map((r) => ({
      uuid: r.uuid as string,
      name: (r.name as string | null) ?? null,
      projectId: r.project_id as string,
      lesseeId: (r.lessee_id as string | null) ?? null,
      resourceUuid: r.resource_uuid as string,
      startTime: fromDb(r.start_time)!,
      endTime: fromDb(r.end_time)!,
      status: r.status as OfferStatusName,
      parentLeaseUuid: (r.parent_lease_uuid as string | null) ?? null,
    }));
  }

  async leases(query: TimelineWindowQuery): Promise<TimelineLease[]> {
    const rows = await this.overlapping(
      'leases',
      'uuid, name, project_id, owner_id, purpose, resource_uuid, start_time, end_time, status, offer_uuid, parent_lease_uuid',
      query,
      query.leaseStatuses,
    );
    return rows.map((r) => ({
      uuid: r.uuid as string,
      name: (r.name as string | null) ?? null,
      projectId: r.project_id as string,
      ownerId: r.owner_id as string,
      purpose: (r.purpose as string | null) ?? null,
      resourceUuid: r.resource_uuid as string,
      startTime: fromDb(r.start_time)!,
      endTime: fromDb(r.end_time)!,
      status: r.status as LeaseStatusName,
      offerUuid: (r.offer_uuid as string | null) ?? null,
      parentLeaseUuid: (r.parent_lease_uuid as string | null) ?? null,
    }));
  }

  /**
   * Rows of `table` on the resources, in one of `statuses`, overlapping `[start, end)`, in no
   * particular order (a sort of the whole month cost more than the rows need: the chart places
   * bars by time). Written out rather than built with the query builder: building it for a
   * thousand-entry IN list cost more than running it.
   */
  private async overlapping(
    table: 'offers' | 'leases',
    columns: string,
    query: TimelineWindowQuery,
    statuses: readonly string[],
  ): Promise<Record<string, unknown>[]> {
    if (query.resourceUuids.length === 0 || statuses.length === 0) return [];
    const rows: Record<string, unknown>[] = [];
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
      ])) as Record<string, unknown>[];
      rows.push(...page);
    }
    return rows;
  }
}

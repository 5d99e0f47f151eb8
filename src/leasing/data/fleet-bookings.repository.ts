import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { fromDb, UtcTime } from '../../common/time';
import { LEASE_OCCUPYING, OFFER_OCCUPYING } from './statuses';

/** An available offer, with what deciding who may claim it and where needs. */
export interface FleetOffer {
  readonly uuid: string;
  readonly projectId: string;
  readonly lesseeId: string | null;
  readonly resourceUuid: string;
  readonly parentLeaseUuid: string | null;
  readonly start: UtcTime;
  readonly end: UtcTime;
}

/** An occupying lease on a resource, with the offer and parent it was booked inside. */
export interface FleetLease {
  readonly resourceUuid: string;
  readonly offerUuid: string | null;
  readonly parentLeaseUuid: string | null;
  readonly start: UtcTime;
  readonly end: UtcTime;
}

/**
 * Every occupying offer and lease of one resource type overlapping a time range, for capacity
 * searches over a whole fleet (CapacitySelector, the availability search): two statements,
 * whatever the number of resources, read outside any transaction.
 */
@Injectable()
export class FleetBookingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Offers still occupying their window (`available`) that overlap `[from, to)`. */
  async offersOverlapping(resourceType: string, from: UtcTime, to: UtcTime): Promise<FleetOffer[]> {
    const rows = (await this.dataSource.query(
      'SELECT uuid, project_id, lessee_id, resource_uuid, parent_lease_uuid, start_time, end_time FROM offers ' +
        `WHERE resource_type = ? AND status IN (${OFFER_OCCUPYING.map(() => '?').join(', ')}) ` +
        'AND start_time < ? AND end_time > ?',
      [resourceType, ...OFFER_OCCUPYING, to, from],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      uuid: String(r.uuid),
      projectId: String(r.project_id),
      lesseeId: (r.lessee_id as string | null) ?? null,
      resourceUuid: String(r.resource_uuid),
      parentLeaseUuid: (r.parent_lease_uuid as string | null) ?? null,
      start: fromDb(r.start_time)!,
      end: fromDb(r.end_time)!,
    }));
  }

  /** Occupying leases that overlap `[from, to)`. */
  async leasesOverlapping(resourceType: string, from: UtcTime, to: UtcTime): Promise<FleetLease[]> {
    const rows = (await this.dataSource.query(
      'SELECT resource_uuid, offer_uuid, parent_lease_uuid, start_time, end_time FROM leases ' +
        `WHERE resource_type = ? AND status IN (${LEASE_OCCUPYING.map(() => '?').join(', ')}) ` +
        'AND start_time < ? AND end_time > ?',
      [resourceType, ...LEASE_OCCUPYING, to, from],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      resourceUuid: String(r.resource_uuid),
      offerUuid: (r.offer_uuid as string | null) ?? null,
      parentLeaseUuid: (r.parent_lease_uuid as string | null) ?? null,
      start: fromDb(r.start_time)!,
      end: fromDb(r.end_time)!,
    }));
  }
}

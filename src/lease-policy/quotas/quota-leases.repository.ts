import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { fromDb, toEpochMicros, UtcTime } from '../../common/time';
import { LEASE_OCCUPYING, LeaseStatus } from '../../leasing/data/statuses';
import { Span } from './quota-math';

/** A project's leases as the quotas see them. */
export interface QuotaLeases {
  /** What its occupying leases hold: the nodes quota. */
  readonly held: Span[];
  /** What its leases booked, ended ones up to their end or cancellation: the node-hours quota. */
  readonly booked: Span[];
  /** How many of its leases are open (occupying, whatever their window): the leases quota. */
  readonly open: number;
}

const ENDED = [LeaseStatus.EXPIRED, LeaseStatus.DELETED];
const COUNTED = [...LEASE_OCCUPYING, ...ENDED];
const OCCUPYING: ReadonlySet<string> = new Set(LEASE_OCCUPYING);

interface Row {
  project_id: string;
  resource_type: string;
  resource_uuid: string;
  start_time: unknown;
  end_time: unknown;
  expire_time: unknown;
  status: string;
}

/** The SQL of the quotas: which projects have leases that count, and those leases. */
@Injectable()
export class QuotaLeasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Projects with an open lease, or one that counted in the 30 days from `since` on. */
  async projectsWithLeases(since: UtcTime, em?: EntityManager): Promise<string[]> {
    const rows = (await (em ?? this.dataSource.manager).query(
      `SELECT DISTINCT project_id FROM leases WHERE status IN (${marks(LEASE_OCCUPYING)}) ` +
        `OR (status IN (${marks(ENDED)}) AND end_time > ?)`,
      [...LEASE_OCCUPYING, ...ENDED, since],
    )) as { project_id: string }[];
    return rows.map((r) => r.project_id);
  }

  /** The leases of `projectIds` that count from `since` on. */
  async leasesOf(projectIds: readonly string[], since: UtcTime, em?: EntityManager): Promise<QuotaLeases> {
    if (projectIds.length === 0) return { held: [], booked: [], open: 0 };
    const manager = em ?? this.dataSource.manager;
    const projects = marks(projectIds);
    // One after the other: inside a booking both run on the transaction's one connection.
    const rows = (await manager.query(
      'SELECT project_id, resource_type, resource_uuid, start_time, end_time, expire_time, status FROM leases ' +
        `WHERE project_id IN (${projects}) AND status IN (${marks(COUNTED)}) AND end_time > ?`,
      [...projectIds, ...COUNTED, since],
    )) as Row[];
    const [{ n }] = (await manager.query(
      `SELECT COUNT(*) AS n FROM leases WHERE project_id IN (${projects}) AND status IN (${marks(LEASE_OCCUPYING)})`,
      [...projectIds, ...LEASE_OCCUPYING],
    )) as { n: number | string }[];
    const held: Span[] = [];
    const booked: Span[] = [];
    for (const row of rows) {
      const start = toEpochMicros(fromDb(row.start_time)!);
      const end = toEpochMicros(fromDb(row.end_time)!);
      const resource = `${row.resource_type}/${row.resource_uuid}`;
      if (OCCUPYING.has(row.status)) {
        held.push({ resource, start, end });
        booked.push({ resource, start, end });
      } else {
        // Booked up to the end, or up to the cancellation when that came first.
        const stopped = fromDb(row.expire_time);
        const until = stopped === null ? end : minBig(end, toEpochMicros(stopped));
        if (until > start) booked.push({ resource, start, end: until });
      }
    }
    return { held, booked, open: Number(n) };
  }
}

function marks(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

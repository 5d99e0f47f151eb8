import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const TABLE = 'leases';
const INDEX = 'lease_status_end_time_idx';

/**
 * The occupying leases that overlap a window (group selection, the availability search) were a
 * full scan of `leases`: the status index alone matches most rows, and expired and deleted
 * leases pile up behind `now` for ever, so that scan grew with the database's age. With
 * `(status, end_time)` each occupying status is one range of the leases ending after the
 * window's start (ANALYZE on the bench fleet of 10,000 leases, a window 10 to 100 days ahead:
 * a full scan of 9,951 rows, 3 ms, before; a range of the few after). Led by `resource_type`
 * instead, the index drew the timeline's statement (a thousand-uuid IN list) into a plan twice
 * as slow, and a fleet whose leases mostly end after the window's start into a scan through it.
 */
export class LeaseEndTimeIndex1795622400000 implements MigrationInterface {
  name = 'LeaseEndTimeIndex1795622400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(TABLE, new TableIndex({ name: INDEX, columnNames: ['status', 'end_time'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(TABLE, INDEX);
  }
}

import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const TABLE = 'leases';
const INDEX = 'lease_type_end_time_idx';

/**
 * The occupying leases of a resource type that overlap a window (group selection, the
 * availability search) were a full scan of `leases`: no index bounds `end_time > from`, and the
 * status index matches most rows. Expired and deleted leases pile up behind `now` for ever, so
 * that scan grew with the database's age. Here `end_time` is a range: only the leases ending
 * after the window's start are read (ANALYZE on the bench fleet of 10,000 leases, a window 10 to
 * 100 days ahead: 9,951 rows and 3.2 ms before, an index range of the few after).
 */
export class LeaseEndTimeIndex1795622400000 implements MigrationInterface {
  name = 'LeaseEndTimeIndex1795622400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(TABLE, new TableIndex({ name: INDEX, columnNames: ['resource_type', 'end_time'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(TABLE, INDEX);
  }
}

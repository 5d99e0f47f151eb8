import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { datetimeColumn, isMysql } from './support/dialect';

/**
 * Node health (docs/node-health.md): `node_health` holds, per node esi-leap has looked at, whether
 * it is healthy, unhealthy (and why) or gone, with the owner and resource class last seen and an
 * owner hand-over still to finish; `lease_degradations` the leases flagged because their node
 * is unhealthy. The booking guard reads the first inside each booking's transaction.
 */
export class NodeHealth1795593600000 implements MigrationInterface {
  name = 'NodeHealth1795593600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = isMysql(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'node_health',
        columns: [
          { name: 'resource_type', type: 'varchar', length: '36', isPrimary: true },
          { name: 'resource_uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'state', type: 'varchar', length: '16', isNullable: false },
          { name: 'reason', type: 'varchar', length: '255', isNullable: true },
          { name: 'owner', type: 'varchar', length: '255', isNullable: true },
          { name: 'resource_class', type: 'varchar', length: '255', isNullable: true },
          { name: 'owner_handover_from', type: 'varchar', length: '255', isNullable: true },
          datetimeColumn(mysql, 'observed_at', false),
          datetimeColumn(mysql, 'updated_at', false),
        ],
        indices: [new TableIndex({ name: 'node_health_state_idx', columnNames: ['state'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lease_degradations',
        columns: [
          { name: 'lease_uuid', type: 'varchar', length: '36', isPrimary: true },
          { name: 'resource_type', type: 'varchar', length: '36', isNullable: false },
          { name: 'resource_uuid', type: 'varchar', length: '36', isNullable: false },
          { name: 'reason', type: 'varchar', length: '255', isNullable: false },
          datetimeColumn(mysql, 'since', false),
        ],
        indices: [
          new TableIndex({ name: 'lease_degradations_resource_idx', columnNames: ['resource_type', 'resource_uuid'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lease_degradations', true);
    await queryRunner.dropTable('node_health', true);
  }
}

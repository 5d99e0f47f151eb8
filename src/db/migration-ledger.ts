import { DataSource, QueryRunner } from 'typeorm';
import { Migration } from 'typeorm/migration/Migration';
import { MigrationExecutor } from 'typeorm/migration/MigrationExecutor';

/**
 * TypeORM's own migrations table, read and written exactly as `typeorm migration:run` does, so
 * that dbsync and the TypeORM CLI agree on what has been applied. MigrationExecutor keeps these
 * operations protected; this subclass only exposes them.
 */
export class MigrationLedger extends MigrationExecutor {
  constructor(
    dataSource: DataSource,
    private readonly runner: QueryRunner,
  ) {
    super(dataSource, runner);
  }

  /** Every migration in the code, oldest first. */
  history(): Migration[] {
    return this.getMigrations();
  }

  /** The table is created on first use, as TypeORM does. */
  async applied(): Promise<Migration[]> {
    await this.createMigrationsTableIfNotExist(this.runner);
    return this.loadExecutedMigrations(this.runner);
  }

  record(migration: Migration): Promise<void> {
    return this.insertExecutedMigration(this.runner, migration);
  }

  erase(migration: Migration): Promise<void> {
    return this.deleteExecutedMigration(this.runner, migration);
  }
}

import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions, LoggerOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { parseConnectionUrl } from './connection-url';

/** TypeORM's bookkeeping table; it sits next to upstream's `alembic_version`, which is left alone. */
export const MIGRATIONS_TABLE = 'typeorm_migrations';

export interface DataSourceExtras {
  /** `[database] max_pool_size`. */
  maxPoolSize?: number;
  logging?: LoggerOptions;
  /** Entities to map; the application registers its own per module instead. */
  entities?: DataSourceOptions['entities'];
}

/**
 * Full TypeORM options for `[database] connection`: the migration history, and never
 * `synchronize` (the schema is owned by migrations/, see docs/database.md).
 */
export function dataSourceOptions(connection: string, extras: DataSourceExtras = {}): DataSourceOptions {
  const parsed = parseConnectionUrl(connection, { maxPoolSize: extras.maxPoolSize });
  if (parsed.ignoredParameters.length > 0) {
    new Logger('esi-leap.db').warn(
      `[database] connection: ignoring URL parameter(s) ${parsed.ignoredParameters.join(', ')}`,
    );
  }
  return {
    ...parsed.options,
    entities: extras.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    migrationsRun: false,
    logging: extras.logging ?? false,
  };
}

/** A DataSource for `[database] connection`, not yet initialised. */
export function createDataSource(connection: string, extras: DataSourceExtras = {}): DataSource {
  return new DataSource(dataSourceOptions(connection, extras));
}

import { Logger } from '@nestjs/common';
import { AbstractLogger, DataSource, DataSourceOptions, LoggerOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { parseConnectionUrl } from './connection-url';

/** mysql2's own default, kept when the statement timeout is longer. */
const MYSQL2_CONNECT_TIMEOUT_MS = 10_000;

/**
 * TypeORM reports statements slower than the statement timeout (they are about to fail) to its
 * logger; this one logs their SQL, cut short, without parameters, which may hold user data.
 */
class SlowStatementLogger extends AbstractLogger {
  private readonly logger = new Logger('esi-leap.db');

  protected writeLog(): void {}

  override logQuerySlow(time: number, query: string): void {
    this.logger.warn(`statement took ${time} ms: ${query.slice(0, 200)}`);
  }
}

/** TypeORM's bookkeeping table; it sits next to upstream's `alembic_version`, which is left alone. */
export const MIGRATIONS_TABLE = 'typeorm_migrations';

export interface DataSourceExtras {
  /** `[database] max_pool_size`. */
  maxPoolSize?: number;
  /** `[database] statement_timeout` in milliseconds (MySQL; 0 or unset: none). */
  statementTimeoutMs?: number;
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
  const statementTimeout = parsed.options.type === 'mysql' && extras.statementTimeoutMs ? extras.statementTimeoutMs : 0;
  return {
    ...parsed.options,
    // mysql2 fails a statement (or a new connection's handshake) that gets no answer in time:
    // a hung server cannot hold requests. Slow statements are logged without their parameters.
    ...(statementTimeout > 0
      ? {
          enableQueryTimeout: true,
          maxQueryExecutionTime: statementTimeout,
          connectTimeout: Math.min(statementTimeout, MYSQL2_CONNECT_TIMEOUT_MS),
          logger: new SlowStatementLogger(),
        }
      : {}),
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

import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import type { EsiLeapConfig } from '../config/esi-leap-config';
import { requireConnection } from './connection-url';
import { dataSourceOptions } from './create-data-source';
import { MysqlSessionSettings, prepareMysqlPool } from './mysql-pool';
import { SchemaMigrator } from './schema-migrator';
import { TransactionRunner } from './transaction-runner';

/** A failed `auto_upgrade`: not a connection problem, so not worth Nest's connection retries. */
export class SchemaUpgradeError extends Error {
  constructor(cause: Error) {
    super(`[database] auto_upgrade: applying migrations failed: ${cause.message}`);
    this.name = 'SchemaUpgradeError';
  }
}

type DatabaseModuleOptions = TypeOrmModuleOptions & { autoUpgrade: boolean; sessions: MysqlSessionSettings };

function moduleOptions(database: EsiLeapConfig['database']): DatabaseModuleOptions {
  return {
    ...dataSourceOptions(requireConnection(database.connection), {
      maxPoolSize: database.max_pool_size,
      statementTimeoutMs: database.statement_timeout * 1000,
    }),
    sessions: { lockWaitSeconds: database.lock_wait_timeout, wsrepSyncWait: database.mysql_wsrep_sync_wait ?? null },
    // Each module registers the entities it maps (TypeOrmModule.forFeature).
    autoLoadEntities: true,
    autoUpgrade: database.auto_upgrade,
    // oslo.db's start-up retries: max_retries = -1 means for ever.
    retryAttempts: database.max_retries < 0 ? Infinity : database.max_retries,
    retryDelay: database.retry_interval * 1000,
    toRetry: (err) => !(err instanceof SchemaUpgradeError),
  };
}

/**
 * Opens the DataSource; with `[database] auto_upgrade` (on in embedded mode) it applies pending
 * migrations before anything can use it. Nest passes useFactory's whole result here.
 */
async function openDataSource(options?: DataSourceOptions): Promise<DataSource> {
  const { autoUpgrade, sessions, ...typeormOptions } = options as DatabaseModuleOptions;
  const dataSource = await new DataSource(typeormOptions as DataSourceOptions).initialize();
  prepareMysqlPool(dataSource, sessions);
  if (!autoUpgrade) return dataSource;
  const logger = new Logger('esi-leap.dbsync');
  try {
    await new SchemaMigrator(dataSource, (line) => logger.log(line)).upgrade('head');
  } catch (err) {
    await dataSource.destroy();
    throw new SchemaUpgradeError(err as Error);
  }
  return dataSource;
}

/**
 * The database for the services: TypeORM over `[database] connection`, never `synchronize`,
 * plus the TransactionRunner. Global, like the DataSource it wraps.
 */
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ESI_LEAP_CONFIG],
          useFactory: (config: EsiLeapConfig) => moduleOptions(config.database),
          dataSourceFactory: openDataSource,
        }),
      ],
      providers: [
        {
          provide: TransactionRunner,
          inject: [DataSource, ESI_LEAP_CONFIG],
          useFactory: (dataSource: DataSource, config: EsiLeapConfig) =>
            new TransactionRunner(dataSource, { lockWaitMs: config.database.lock_wait_timeout * 1000 }),
        },
      ],
      exports: [TransactionRunner],
    };
  }
}

import { QueryRunner } from 'typeorm';

/**
 * The migrations run on MySQL/MariaDB and on SQLite. Where the two must differ (MySQL's
 * DATETIME(6), InnoDB's implicit foreign-key indexes, SQLite's unenforced VARCHAR lengths),
 * a migration asks this.
 */
export function isMysql(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/** SQLAlchemy's `DateTime`: esi-leap compiles it to DATETIME(6) on MySQL, plain DATETIME elsewhere. */
export function datetimeColumn(mysql: boolean, name: string, nullable = true) {
  return { name, type: 'datetime', precision: mysql ? 6 : undefined, isNullable: nullable };
}

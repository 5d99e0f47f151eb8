import { DataSource } from 'typeorm';

/** The two databases esi-leap runs on: MySQL/MariaDB (mysql2) or SQLite (better-sqlite3). */
export function isMysqlDataSource(dataSource: DataSource): boolean {
  const type = dataSource.options.type;
  return type === 'mysql' || type === 'mariadb';
}

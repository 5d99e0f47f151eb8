import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../common/package-root';

/** The repository's migrations/ directory, found from this file in src/ as in dist/. */
export function sourceMigrationsDir(): string {
  return path.join(packageRoot(), 'migrations');
}

function words(message: string): string[] {
  return message.match(/[A-Za-z0-9]+/g) ?? [];
}

function template(className: string, message: string): string {
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ${message.replace(/\*\//g, '* /')}
 *
 * Use the QueryRunner schema API (createTable, addColumn, createIndex, ...) so that the same
 * migration runs on MySQL/MariaDB and SQLite; see docs/database.md before changing a column's
 * length on MySQL.
 */
export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {}

  async down(queryRunner: QueryRunner): Promise<void> {}
}
`;
}

/** Adds the import (after the last one) and the history entry (at the end of the list) to migrations/index.ts. */
function register(indexFile: string, className: string, fileStem: string): void {
  const source = readFileSync(indexFile, 'utf8');
  const body = source.search(/^(\/\*\*|export )/m);
  const importsEnd = source.lastIndexOf("';\n", body) + 3;
  const listEnd = source.lastIndexOf('];');
  if (body < 0 || importsEnd < 3 || listEnd < body)
    throw new Error(`cannot find where to register ${className} in ${indexFile}; add it by hand`);
  writeFileSync(
    indexFile,
    source.slice(0, importsEnd) +
      `import { ${className} } from './${fileStem}';\n` +
      source.slice(importsEnd, listEnd) +
      `  ${className},\n` +
      source.slice(listEnd),
  );
}

/**
 * `esi-leap-dbsync revision -m MSG`: writes an empty migration named after the message and
 * registers it as the newest in the history. Returns the new file's path.
 */
export function writeRevisionFile(migrationsDir: string, message: string, now: Date = new Date()): string {
  const parts = words(message);
  if (parts.length === 0) throw new Error('revision: -m/--message must contain letters or digits');
  const timestamp = now.getTime();
  const className = `${parts.map((w) => w[0].toUpperCase() + w.slice(1)).join('')}${timestamp}`;
  const fileStem = `${timestamp}-${parts.map((w) => w.toLowerCase()).join('-')}`;
  const file = path.join(migrationsDir, `${fileStem}.ts`);
  writeFileSync(file, template(className, message.trim()), { flag: 'wx' });
  register(path.join(migrationsDir, 'index.ts'), className, fileStem);
  return file;
}

import * as path from 'node:path';
import { createDataSource } from './create-data-source';
import { sourceMigrationsDir, writeRevisionFile } from './revision-file';
import { SchemaMigrator } from './schema-migrator';

const USAGE = [
  'usage: esi-leap-dbsync <command> [options]',
  '  create_schema                 bring the schema to head (adopts an upstream esi-leap database)',
  '  upgrade [--revision R]        apply migrations up to R (default head)',
  '  downgrade [--revision R]      revert migrations down to R (default base)',
  '  stamp --revision R            record R as the current revision without running migrations',
  '  version                       print the current revision (None when nothing is recorded)',
  '  revision -m MSG               write a new, empty migration in migrations/',
  'R is a migration name, its timestamp, head, base, or 11e06aea1af5 (upstream head = our baseline).',
];

class UsageError extends Error {}

interface DbsyncArgs {
  command: string;
  revision?: string;
  message?: string;
}

function parseArgs(argv: string[]): DbsyncArgs {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('a command is required');
  const args: DbsyncArgs = { command };
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--revision') args.revision = value();
    else if (flag === '-m' || flag === '--message') args.message = value();
    else if (flag === '--autogenerate')
      throw new UsageError('--autogenerate is not supported: write the migration with the QueryRunner API');
    else throw new UsageError(`unknown argument ${rest[i]}`);
  }
  return args;
}

async function withMigrator(
  connection: string,
  out: (line: string) => void,
  use: (migrator: SchemaMigrator) => Promise<void>,
): Promise<void> {
  const dataSource = createDataSource(connection);
  await dataSource.initialize();
  try {
    await use(new SchemaMigrator(dataSource, out));
  } finally {
    await dataSource.destroy();
  }
}

async function execute(args: DbsyncArgs, connection: string, out: (line: string) => void): Promise<void> {
  switch (args.command) {
    case 'create_schema':
      return withMigrator(connection, out, async (m) => void (await m.upgrade('head')));
    case 'upgrade':
      return withMigrator(connection, out, async (m) => void (await m.upgrade(args.revision ?? 'head')));
    case 'downgrade':
      return withMigrator(connection, out, async (m) => void (await m.downgrade(args.revision ?? 'base')));
    case 'stamp':
      if (!args.revision) throw new UsageError('stamp needs --revision');
      return withMigrator(connection, out, (m) => m.stamp(args.revision as string));
    case 'version':
      return withMigrator(connection, out, async (m) => out((await m.currentRevision()) ?? 'None'));
    case 'revision': {
      if (!args.message) throw new UsageError('revision needs -m/--message');
      const file = writeRevisionFile(sourceMigrationsDir(), args.message);
      out(`Generated ${path.relative(process.cwd(), file)} and registered it in migrations/index.ts`);
      return;
    }
    default:
      throw new UsageError(`unknown command ${args.command}`);
  }
}

/**
 * `esi-leap-dbsync` (upstream `esi_leap/cmd/dbsync.py`). `connection` is `[database] connection`; `revision` does
 * not use it. Returns the process exit code: 0 done, 1 failed, 2 bad usage.
 */
export async function runDbsync(argv: string[], connection: string, out: (line: string) => void): Promise<number> {
  try {
    await execute(parseArgs(argv), connection, out);
    return 0;
  } catch (err) {
    out(`error: ${(err as Error).message}`);
    if (err instanceof UsageError) {
      USAGE.forEach((line) => out(line));
      return 2;
    }
    return 1;
  }
}

import { Command, Option } from 'commander';
import { ConfigError, LoadedConfig, loadConfig } from './config/config-loader';
import { writeSampleConfig } from './config/genconfig';
import { runDbsync } from './db/dbsync';
import { writeSamplePolicy } from './policy/genpolicy';
import { Role, ROLES } from './app/roles';
import { serve } from './cli/serve';

export type Entry =
  | 'esi-leap'
  | 'esi-leap-api'
  | 'esi-leap-manager'
  | 'esi-leap-dbsync'
  | 'esi-leap-serial-console-proxy';

/** The upstream console scripts that each run one role. */
const ROLE_ENTRIES: Partial<Record<Entry, Role>> = {
  'esi-leap-api': 'api',
  'esi-leap-manager': 'manager',
  'esi-leap-serial-console-proxy': 'console-proxy',
};

const collect = (value: string, previous: string[]) => [...previous, value];

function configOptions(cmd: Command): Command {
  return cmd
    .option('--config-file <path>', 'configuration file (repeatable; later files override earlier ones)', collect, [])
    .option('--config-dir <dir>', 'directory of *.conf files read after the config files (repeatable)', collect, []);
}

function load(opts: { configFile: string[]; configDir: string[] }): LoadedConfig {
  const loaded = loadConfig({ configFiles: opts.configFile, configDirs: opts.configDir, env: process.env });
  for (const warning of loaded.warnings) process.stderr.write(`WARNING: ${warning}\n`);
  return loaded;
}

/** dbsync needs `[database] connection`, except `revision`, which only writes a file. */
function dbsync(args: string[], opts: { configFile: string[]; configDir: string[] }): Promise<number> {
  const connection = load(opts).config.database.connection;
  if (!connection && args[0] !== 'revision') {
    throw new ConfigError('[database] connection: required option is not set');
  }
  return runDbsync(args, connection ?? '', (line) => process.stdout.write(`${line}\n`));
}

/**
 * One binary, several entry points: `esi-leap` (roles, dbsync, generators) and the upstream
 * console-script names `esi-leap-api`, `esi-leap-manager`, `esi-leap-serial-console-proxy`,
 * `esi-leap-dbsync`.
 */
export async function main(argv: string[], entry: Entry = 'esi-leap'): Promise<void> {
  const program = new Command(entry).exitOverride().showHelpAfterError();
  const entryRole = ROLE_ENTRIES[entry];
  if (entry === 'esi-leap-dbsync') {
    configOptions(program).allowUnknownOption().helpOption(false).argument('[args...]');
    program.action(async (args: string[], opts) => {
      process.exitCode = await dbsync(args, opts);
    });
  } else if (entryRole) {
    configOptions(program).action(async (opts) => serve(load(opts), entryRole));
  } else {
    configOptions(program)
      .addOption(new Option('--role <role>', 'what this process runs').choices([...ROLES]).default('all'))
      .action(async (opts) => serve(load(opts), opts.role as Role));
    configOptions(program.command('dbsync').description('database schema management (as esi-leap-dbsync)'))
      .allowUnknownOption()
      .helpOption(false)
      .argument('[args...]')
      .action(async (args: string[], opts) => {
        process.exitCode = await dbsync(args, opts);
      });
    program
      .command('genconfig')
      .description('write a commented sample esi-leap.conf generated from the option definitions')
      .option('--output-file <path>', 'where to write it', 'config/esi-leap.conf.sample')
      .action((opts: { outputFile: string }) => writeSampleConfig(opts.outputFile));
    program
      .command('genpolicy')
      .description('write a commented sample policy file with the default rules')
      .option('--output-file <path>', 'where to write it', 'config/policy.yaml.sample')
      .action((opts: { outputFile: string }) => writeSamplePolicy(opts.outputFile));
  }
  await program.parseAsync(argv);
}

/** A bad configuration is one clear line and exit code 1, never a stack trace. */
export function runMain(entry: Entry): void {
  main(process.argv, entry).catch((err: unknown) => {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') process.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(2);
    process.stderr.write(`${entry}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (!(err instanceof ConfigError) && process.env.ESI_LEAP_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}

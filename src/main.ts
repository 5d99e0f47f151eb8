import { Command, Option } from 'commander';
import { ConfigError, LoadedConfig, loadConfig } from './config/config-loader';
import { writeSampleConfig } from './config/genconfig';
import { runDbsync } from './db/dbsync';
import { writeSamplePolicy } from './policy/genpolicy';
import { Role, ROLES } from './app/roles';
import { serve } from './cli/serve';
import { loggerFor } from './ops/logging/esi-leap-logger';

export type Entry =
  'esi-leap' | 'esi-leap-api' | 'esi-leap-manager' | 'esi-leap-dbsync' | 'esi-leap-serial-console-proxy';

/** The upstream console scripts that each run one role. */
const ROLE_ENTRIES: Partial<Record<Entry, Role>> = {
  'esi-leap-api': 'api',
  'esi-leap-manager': 'manager',
  'esi-leap-serial-console-proxy': 'console-proxy',
};

const collect = (value: string, previous: string[]) => [...previous, value];

interface ConfigArgs {
  readonly configFile: string[];
  readonly configDir: string[];
}

function configOptions(cmd: Command): Command {
  return cmd
    .option('--config-file <path>', 'configuration file (repeatable; later files override earlier ones)', collect, [])
    .option('--config-dir <dir>', 'directory of *.conf files read after the config files (repeatable)', collect, []);
}

/**
 * The config options of the whole command line. They are declared once, on the program, and
 * commander reads a program option wherever it stands, so `esi-leap --config-file X dbsync` and
 * `esi-leap dbsync --config-file X` mean the same; a subcommand that declared them again would
 * get an empty list of its own instead.
 */
function configArgsOf(cmd: Command): ConfigArgs {
  const { configFile, configDir } = cmd.optsWithGlobals<ConfigArgs>();
  return { configFile, configDir };
}

/**
 * Loads the configuration and reports what it ignores through the logger it configures: on
 * stdout for the services, on stderr for the commands whose stdout is their result.
 */
function load(args: ConfigArgs, logTo: 'stdout' | 'stderr' = 'stdout'): LoadedConfig {
  const loaded = loadConfig({ configFiles: args.configFile, configDirs: args.configDir, env: process.env });
  const logger = loggerFor(loaded.config, logTo);
  for (const warning of loaded.warnings) logger.warn(warning, 'esi-leap.config');
  return loaded;
}

/** dbsync needs `[database] connection`, except `revision`, which only writes a file. */
function dbsync(args: string[], config: ConfigArgs): Promise<number> {
  const connection = load(config, 'stderr').config.database.connection;
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
  const program = configOptions(new Command(entry).exitOverride().showHelpAfterError());
  program.configureHelp({ showGlobalOptions: true });
  const entryRole = ROLE_ENTRIES[entry];
  if (entry === 'esi-leap-dbsync') {
    program.allowUnknownOption().helpOption(false).argument('[args...]');
    program.action(async (args: string[]) => {
      process.exitCode = await dbsync(args, configArgsOf(program));
    });
  } else if (entryRole) {
    program.action(async () => serve(load(configArgsOf(program)), entryRole));
  } else {
    program
      .addOption(new Option('--role <role>', 'what this process runs').choices([...ROLES]).default('all'))
      .action(async (opts: { role: Role }) => serve(load(configArgsOf(program)), opts.role));
    program
      .command('dbsync')
      .description('database schema management (as esi-leap-dbsync)')
      .allowUnknownOption()
      .helpOption(false)
      .argument('[args...]')
      .action(async (args: string[], _opts, cmd: Command) => {
        process.exitCode = await dbsync(args, configArgsOf(cmd));
      });
    program
      .command('genconfig')
      .description('write a commented sample esi-leap.conf generated from the option definitions')
      .option('--output-file <path>', 'where to write it', 'config/esi-leap.conf.sample')
      .action((opts: { outputFile: string }, cmd: Command) => {
        load(configArgsOf(cmd), 'stderr');
        writeSampleConfig(opts.outputFile);
      });
    program
      .command('genpolicy')
      .description('write a commented sample policy file with the default rules')
      .option('--output-file <path>', 'where to write it', 'config/policy.yaml.sample')
      .action((opts: { outputFile: string }, cmd: Command) => {
        load(configArgsOf(cmd), 'stderr');
        writeSamplePolicy(opts.outputFile);
      });
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

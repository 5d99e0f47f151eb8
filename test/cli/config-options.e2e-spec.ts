import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const bin = (name: string) => path.join(root, 'bin', `${name}.js`);

/**
 * `--config-file`/`--config-dir` in every position the README, docs/ and deploy/ use them: a
 * subcommand must read the files it is given (never fall back to the embedded SQLite under
 * ./data), and a missing file stops it with exit 1 as it stops the roles.
 */
describe('config options on the subcommands', () => {
  let dir: string;

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-needed.js')], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-cli-conf-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a command from `dir` with HOME there too, so no other esi-leap.conf can be found. */
  function run(args: string[]) {
    return spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir } });
  }

  /** The settings and the credentials in two files, as the Kubernetes manifests mount them. */
  function splitConfig(): { settings: string; secrets: string; database: string } {
    const database = path.join(dir, 'esi-leap.sqlite');
    const settings = path.join(dir, 'esi-leap.conf');
    const secrets = path.join(dir, 'secrets.conf');
    writeFileSync(settings, '[DEFAULT]\nlog_level = info\n');
    writeFileSync(secrets, `[database]\nconnection = sqlite:///${database}\n`);
    return { settings, secrets, database };
  }

  /** Migrations recorded in the SQLite file, read without esi-leap's code. */
  function appliedMigrations(database: string): string[] {
    const db = new Database(database, { readonly: true });
    try {
      return (db.prepare('SELECT name FROM typeorm_migrations ORDER BY id').all() as { name: string }[]).map(
        (row) => row.name,
      );
    } finally {
      db.close();
    }
  }

  it.each([
    [
      'esi-leap --config-file X dbsync upgrade',
      (s: string, c: string) => [bin('esi-leap'), '--config-file', s, '--config-file', c, 'dbsync', 'upgrade'],
    ],
    [
      'esi-leap dbsync --config-file X upgrade (the dbsync Job)',
      (s: string, c: string) => [bin('esi-leap'), 'dbsync', '--config-file', s, '--config-file', c, 'upgrade'],
    ],
    [
      'esi-leap dbsync upgrade --config-file X',
      (s: string, c: string) => [bin('esi-leap'), 'dbsync', 'upgrade', '--config-file', s, '--config-file', c],
    ],
    [
      'esi-leap-dbsync --config-file X upgrade',
      (s: string, c: string) => [bin('esi-leap-dbsync'), '--config-file', s, '--config-file', c, 'upgrade'],
    ],
  ])('%s migrates the database the files name, not the embedded one', (_form, args) => {
    const { settings, secrets, database } = splitConfig();
    const result = run(args(settings, secrets));
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('Running upgrade base -> ');
    expect(appliedMigrations(database).length).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it.each([
    ['before', (d: string) => [bin('esi-leap'), '--config-dir', d, 'dbsync', 'upgrade']],
    ['after', (d: string) => [bin('esi-leap'), 'dbsync', '--config-dir', d, 'upgrade']],
  ])('esi-leap dbsync reads --config-dir given %s the subcommand', (_position, args) => {
    const confDir = path.join(dir, 'esi-leap.conf.d');
    mkdirSync(confDir);
    const database = path.join(dir, 'from-dir.sqlite');
    writeFileSync(path.join(confDir, '10-database.conf'), `[database]\nconnection = sqlite:///${database}\n`);
    const result = run(args(confDir));
    expect(result.status).toBe(0);
    expect(appliedMigrations(database).length).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it.each([
    [
      'esi-leap --config-file MISSING dbsync upgrade',
      (f: string) => [bin('esi-leap'), '--config-file', f, 'dbsync', 'upgrade'],
    ],
    [
      'esi-leap dbsync --config-file MISSING upgrade',
      (f: string) => [bin('esi-leap'), 'dbsync', '--config-file', f, 'upgrade'],
    ],
    [
      'esi-leap-dbsync --config-file MISSING upgrade',
      (f: string) => [bin('esi-leap-dbsync'), '--config-file', f, 'upgrade'],
    ],
    [
      'esi-leap genconfig --config-file MISSING',
      (f: string) => [bin('esi-leap'), 'genconfig', '--config-file', f, '--output-file', 'sample.conf'],
    ],
    [
      'esi-leap --config-file MISSING genpolicy',
      (f: string) => [bin('esi-leap'), '--config-file', f, 'genpolicy', '--output-file', 'policy.yaml'],
    ],
    [
      'esi-leap dbsync --config-dir MISSING upgrade',
      (f: string) => [bin('esi-leap'), 'dbsync', '--config-dir', f, 'upgrade'],
    ],
  ])('%s fails with exit 1 naming the file, and writes nothing', (_form, args) => {
    const missing = path.join(dir, 'nowhere', 'esi-leap.conf');
    const result = run(args(missing));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(missing);
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
    expect(existsSync(path.join(dir, 'sample.conf'))).toBe(false);
    expect(existsSync(path.join(dir, 'policy.yaml'))).toBe(false);
  });

  it('keeps log lines off stdout where it is the result: dbsync version prints the revision alone', () => {
    const { settings, secrets } = splitConfig();
    writeFileSync(settings, '[DEFAULT]\nuse_syslog = true\n');
    const result = run([bin('esi-leap'), 'dbsync', '--config-file', settings, '--config-file', secrets, 'version']);
    expect([result.status, result.stdout]).toEqual([0, 'None\n']);
    expect(JSON.parse(result.stderr)).toMatchObject({
      level: 'WARNING',
      message: expect.stringContaining('[DEFAULT] use_syslog'),
    });
  });

  it.each([
    ['genconfig', ['genconfig', '--output-file', 'sample.conf'], 'sample.conf'],
    ['genpolicy', ['genpolicy', '--output-file', 'policy.yaml'], 'policy.yaml'],
  ])('%s reads the configuration it is given, in either position: a bad value stops it', (_name, command, output) => {
    const bad = path.join(dir, 'bad.conf');
    writeFileSync(bad, '[api]\nport = abc\n');
    for (const args of [
      [bin('esi-leap'), '--config-file', bad, ...command],
      [bin('esi-leap'), command[0], '--config-file', bad, ...command.slice(1)],
    ]) {
      const result = run(args);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("[api] port: invalid value 'abc'");
      expect(existsSync(path.join(dir, output))).toBe(false);
    }
    const good = path.join(dir, 'good.conf');
    writeFileSync(good, '[api]\nport = 7777\n');
    expect(run([bin('esi-leap'), command[0], '--config-file', good, ...command.slice(1)]).status).toBe(0);
    expect(readFileSync(path.join(dir, output), 'utf8').length).toBeGreaterThan(100);
  });
});

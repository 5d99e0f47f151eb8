import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, waitForHttp } from '../support/child-http';

const root = path.resolve(__dirname, '../..');
const esiLeap = path.join(root, 'bin', 'esi-leap.js');
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TEXT_LINE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) (.*)$/;
/** The contexts Nest writes its per-module and per-route start-up lines under. */
const FRAMEWORK_CONTEXTS = ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory'];

/** What a process started in embedded mode prints until it answers HTTP, then until it exits on SIGTERM. */
async function startAndStop(dir: string, env: Record<string, string>): Promise<string[]> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [esiLeap], {
    cwd: dir,
    env: { ...process.env, HOME: dir, ESI_LEAP__API__PORT: String(port), ...env },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, child, () => output);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // The first-start help for newcomers is plain text by design; the log lines come before it.
  return output.slice(0, output.indexOf('\nesi-leap is running in embedded mode')).split('\n').filter(Boolean);
}

describe('log lines', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-needed.js')], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("are JSON objects when stdout is not a terminal, with one start-up summary instead of Nest's ~45 lines", async () => {
    const lines = (await startAndStop(dir, {})).map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of lines) {
      expect(line.timestamp).toMatch(ISO_UTC);
      expect(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']).toContain(line.level);
    }
    expect(lines.filter((line) => FRAMEWORK_CONTEXTS.includes(line.context as string))).toEqual([]);
    const summaries = lines.filter((line) => String(line.message).startsWith('application started:'));
    expect(summaries).toEqual([expect.objectContaining({ level: 'INFO', context: 'esi-leap' })]);
    expect(summaries[0].message).toMatch(/^application started: \d+ modules, \d+ controllers, \d+ routes$/);
  });

  it('are text lines a person reads with [DEFAULT] log_format = text, even without a terminal', async () => {
    const lines = await startAndStop(dir, { ESI_LEAP__DEFAULT__LOG_FORMAT: 'text' });
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(TEXT_LINE);
    expect(lines.filter((line) => / INFO esi-leap application started: /.test(line))).toHaveLength(1);
    expect(lines.some((line) => FRAMEWORK_CONTEXTS.some((context) => line.includes(` ${context} `)))).toBe(false);
  });

  it('are text lines on a terminal (auto) and JSON when piped, on stderr for a command whose stdout is its result', () => {
    const conf = path.join(dir, 'esi-leap.conf');
    writeFileSync(conf, '[api]\nno_such_option = 1\n');
    const args = [esiLeap, 'genconfig', '--config-file', conf, '--output-file', path.join(dir, 'sample.conf')];
    const env = { ...process.env, HOME: dir };
    // util-linux `script` runs the command on a pseudo-terminal, as an operator's shell would.
    const command = args.map((a) => `'${a}'`).join(' ');
    const onTerminal = spawnSync('script', ['-qec', `'${process.execPath}' ${command}`, '/dev/null'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(onTerminal.status).toBe(0);
    const terminalLines = onTerminal.stdout.split(/\r?\n/).filter(Boolean);
    expect(terminalLines).toHaveLength(1);
    expect(terminalLines[0]).toMatch(TEXT_LINE);
    expect(terminalLines[0]).toMatch(/ WARNING esi-leap\.config unknown option \[api\] no_such_option in .* ignored$/);
    // A command whose stdout is its result logs on stderr.
    const piped = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
    expect(piped.stdout).toBe('');
    expect(JSON.parse(piped.stderr.trim())).toMatchObject({ level: 'WARNING', context: 'esi-leap.config' });
  });
});

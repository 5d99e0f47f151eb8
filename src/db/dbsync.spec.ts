import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runDbsync } from './dbsync';

async function dbsync(argv: string[], connection = 'sqlite://'): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runDbsync(argv, connection, (line) => lines.push(line));
  return { code, lines };
}

describe('runDbsync', () => {
  it.each([
    [[], 'error: a command is required'],
    [['frobnicate'], 'error: unknown command frobnicate'],
    [['stamp'], 'error: stamp needs --revision'],
    [['upgrade', '--revision'], 'error: --revision needs a value'],
    [['upgrade', '--force'], 'error: unknown argument --force'],
    [['revision'], 'error: revision needs -m/--message'],
    [
      ['revision', '-m', 'x', '--autogenerate'],
      'error: --autogenerate is not supported: write the migration with the QueryRunner API',
    ],
  ])('%j is a usage error (exit 2, usage printed)', async (argv, message) => {
    const { code, lines } = await dbsync(argv);
    expect(code).toBe(2);
    expect(lines[0]).toBe(message);
    expect(lines[1]).toMatch(/^usage: esi-leap-dbsync/);
  });

  it('a bad [database] connection fails with exit 1 and a one-line reason', async () => {
    expect(await dbsync(['version'], 'postgresql://u:secret@h/db')).toEqual({
      code: 1,
      lines: [
        "error: [database] connection: unsupported database 'postgresql' in 'postgresql://u:***@h/db': use mysql+pymysql:// (or mysql://, mysql+mysqldb://) for MySQL/MariaDB, or sqlite://",
      ],
    });
  });

  it('works end to end on an in-memory database', async () => {
    expect(await dbsync(['version'])).toEqual({ code: 0, lines: ['None'] });
    const { code, lines } = await dbsync(['upgrade', '--revision=UpstreamSchema1795564800000']);
    expect(code).toBe(0);
    expect(lines).toEqual([
      'Running upgrade base -> UpstreamSchema1795564800000',
      expect.stringMatching(/^Applied UpstreamSchema1795564800000 in \d+ ms$/),
    ]);
  });

  it('prints each migration it applies or reverts with its duration', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-dbsync-'));
    try {
      const connection = `sqlite:///${path.join(dir, 'db.sqlite')}`;
      const revision = '--revision=UpstreamSchema1795564800000';
      expect((await dbsync(['upgrade', revision], connection)).lines).toEqual([
        'Running upgrade base -> UpstreamSchema1795564800000',
        expect.stringMatching(/^Applied UpstreamSchema1795564800000 in \d+ ms$/),
      ]);
      expect(await dbsync(['downgrade'], connection)).toEqual({
        code: 0,
        lines: [
          'Running downgrade UpstreamSchema1795564800000 -> base',
          expect.stringMatching(/^Reverted UpstreamSchema1795564800000 in \d+ ms$/),
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

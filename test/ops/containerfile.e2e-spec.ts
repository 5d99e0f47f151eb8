import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const containerfile = readFileSync(path.join(ROOT, 'Containerfile'), 'utf8');

/** Sources of the `COPY` lines that read the build context (not `--from=builder`). */
function contextCopies(): string[] {
  return containerfile
    .split('\n')
    .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
    .flatMap((line) => line.slice(5).trim().split(/\s+/).slice(0, -1));
}

describe('Containerfile', () => {
  it('copies only files that exist and that .containerignore lets through', () => {
    const ignored = readFileSync(path.join(ROOT, '.containerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const source of contextCopies()) {
      expect([source, existsSync(path.join(ROOT, source))]).toEqual([source, true]);
      expect(ignored).not.toContain(source);
    }
  });

  it('links every command package.json declares, so the entrypoint and dbsync resolve', () => {
    const bins = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin as Record<string, string>);
    const loop = /for name in ([^;]+); do/.exec(containerfile)![1].trim().split(/\s+/);
    for (const bin of bins) expect(loop).toContain(bin);
    for (const name of loop) expect([name, existsSync(path.join(ROOT, 'bin', `${name}.js`))]).toEqual([name, true]);
    expect(containerfile).toContain('ENTRYPOINT ["esi-leap"]');
  });

  it('runs `esi-leap --help` from a tree laid out like the image (package.json, bin, config, dist, node_modules)', () => {
    const image = mkdtempSync(path.join(tmpdir(), 'esi-leap-image-'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(image, 'dist')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    cpSync(path.join(ROOT, 'package.json'), path.join(image, 'package.json'));
    cpSync(path.join(ROOT, 'bin'), path.join(image, 'bin'), { recursive: true });
    cpSync(path.join(ROOT, 'config'), path.join(image, 'config'), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(image, 'node_modules'));
    const help = execFileSync(process.execPath, [path.join(image, 'bin', 'esi-leap.js'), '--help'], { encoding: 'utf8' });
    expect(help).toContain('--role <role>');
    expect(help).toContain('dbsync');
  }, 240000);
});

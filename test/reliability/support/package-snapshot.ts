import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

/**
 * A private copy of the built package (dist/, bin/, package.json; node_modules and config/
 * linked), so that another build in the shared tree, which empties dist/, cannot pull the
 * manager's code from under the kill loop.
 */
export function snapshotPackage(target: string): string {
  for (let attempt = 1; ; attempt++) {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-needed.js')], { cwd: root, stdio: 'inherit' });
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    try {
      cpSync(path.join(root, 'dist'), path.join(target, 'dist'), { recursive: true });
      cpSync(path.join(root, 'bin'), path.join(target, 'bin'), { recursive: true });
      cpSync(path.join(root, 'package.json'), path.join(target, 'package.json'));
      symlinkSync(path.join(root, 'node_modules'), path.join(target, 'node_modules'));
      symlinkSync(path.join(root, 'config'), path.join(target, 'config'));
      if (existsSync(path.join(target, 'dist', 'src', 'main.js'))) return target;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
    if (attempt >= 3) throw new Error('dist/ kept changing while it was copied');
  }
}

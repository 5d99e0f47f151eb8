import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The directory holding esi-leap's package.json, found the same way from src/ and from dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

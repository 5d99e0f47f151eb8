#!/usr/bin/env node
// `npm start` builds first when dist/ is missing or older than any source file.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    const mtime = item.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

const sources = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'migrations')));
if (!fs.existsSync(entry) || fs.statSync(entry).mtimeMs < sources) {
  process.stdout.write('esi-leap: building (dist/ is missing or out of date)...\n');
  execSync('npm run --silent build', { cwd: root, stdio: 'inherit' });
}

#!/usr/bin/env node
// `npm start` builds first when dist/ is missing or older than its sources: the whole build
// when the service's sources changed (it also builds the web console), only the console's
// when just ui/ changed.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'main.js');
const consolePage = path.join(root, 'dist', 'ui', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    const mtime = item.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

const builtAt = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);

const sources = Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'migrations')));
const consoleSources = newestMtime(path.join(root, 'ui'));
if (builtAt(entry) < sources) {
  process.stdout.write('esi-leap: building (dist/ is missing or out of date)...\n');
  execSync('npm run --silent build', { cwd: root, stdio: 'inherit' });
} else if (builtAt(consolePage) < consoleSources) {
  process.stdout.write('esi-leap: building the web console (dist/ui is missing or out of date)...\n');
  execSync('npm run --silent build:ui', { cwd: root, stdio: 'inherit' });
}

#!/usr/bin/env node
// npm run test:galera: the reliability scenarios on a three-node MariaDB Galera cluster behind
// HAProxy (test/services/galera.sh), apart from `npm test` because they take minutes.
// Starts the cluster (reusing a running one), runs test/galera/*.galera-spec.ts, and stops the
// cluster again unless it was already running before (or ESI_LEAP_GALERA_KEEP=1). Extra
// arguments go to jest (e.g. a path filter). Prints the wall time of each step.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'test', 'services', 'galera.sh');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const env = { ...process.env, TZ: 'UTC', SCARF_ANALYTICS: 'false' };
const times = [];

function step(name, file, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit', env, ...options });
  times.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status;
}

const wasRunning = spawnSync('bash', [script, 'status'], { cwd: root, env, stdio: 'ignore' }).status === 0;
let status = step('cluster start', 'bash', [script, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
// An interrupted run still stops what it started: jest gets the signal too and exits.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => undefined);
if (status === 0) {
  status = step('scenarios', process.execPath, [
    jest,
    '--config',
    path.join(root, 'test', 'galera', 'jest.config.js'),
    '--runInBand',
    ...process.argv.slice(2),
  ]);
}
if (!wasRunning && process.env.ESI_LEAP_GALERA_KEEP !== '1') step('cluster stop', 'bash', [script, 'stop']);
process.stdout.write(`\nGalera run wall times: ${times.join(', ')}\n`);
process.exit(status === 0 ? 0 : 1);

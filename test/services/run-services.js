#!/usr/bin/env node
// The services one test run starts (Keystone, Ironic) live under one run directory, on free
// ports. This stops whatever was started there and removes the directory. Jest's global
// teardown calls it; so does the watchdog of jest-global-setup.js when a run is killed.
//
//   node test/services/run-services.js stop RUN_DIR
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const HERE = __dirname;

function stopRunServices(runDir) {
  if (!runDir || !fs.existsSync(runDir)) return;
  const keystone = path.join(runDir, 'keystone');
  if (fs.existsSync(keystone)) {
    spawnSync('bash', [path.join(HERE, 'keystone.sh'), 'stop'], {
      env: { ...process.env, ESI_LEAP_KEYSTONE_STATE: keystone },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const ironic = path.join(runDir, 'ironic');
  if (fs.existsSync(ironic)) {
    spawnSync('bash', [path.join(HERE, 'ironic', 'ironic-down.sh')], {
      env: { ...process.env, IRONIC_RUNTIME: ironic },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  fs.rmSync(runDir, { recursive: true, force: true });
}

module.exports = { stopRunServices };

if (require.main === module) {
  const [command, runDir] = process.argv.slice(2);
  if (command !== 'stop' || !runDir) {
    process.stderr.write('usage: run-services.js stop RUN_DIR\n');
    process.exit(2);
  }
  stopRunServices(runDir);
}

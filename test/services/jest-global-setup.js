// One directory per jest run, removed by jest-global-teardown.js (or by a watchdog if the run is
// killed before its teardown): the services its suites start (Keystone and Ironic, on free
// ports) live there, and it is the run's TMPDIR, so a temporary file a test forgets to delete
// still goes away with the run.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esi-leap-run-'));
  // Set here, in jest's own process, so every test worker (started after this) inherits it.
  process.env.ESI_LEAP_TEST_RUN_DIR = runDir;
  const tmp = path.join(runDir, 'tmp');
  fs.mkdirSync(tmp);
  process.env.TMPDIR = tmp;
  const watchdog = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 2; done; exec "$2" "$3" stop "$4"',
      'esi-leap-test-watchdog',
      String(process.pid),
      process.execPath,
      path.join(__dirname, 'run-services.js'),
      runDir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  fs.writeFileSync(path.join(runDir, 'watchdog.pid'), String(watchdog.pid));
};

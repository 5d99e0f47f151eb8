// Stops the services this jest run started and removes its run directory (see jest-global-setup.js).
const fs = require('node:fs');
const path = require('node:path');
const { stopRunServices } = require('./run-services');

module.exports = async () => {
  const runDir = process.env.ESI_LEAP_TEST_RUN_DIR;
  if (!runDir) return;
  const watchdog = path.join(runDir, 'watchdog.pid');
  if (fs.existsSync(watchdog)) {
    try {
      process.kill(Number(fs.readFileSync(watchdog, 'utf8')));
    } catch {
      // already gone
    }
  }
  stopRunServices(runDir);
};

#!/usr/bin/env node
// The whole suite: every jest project under TZ=UTC, then the unit specs again under another
// time zone to prove nothing depends on the process zone. Ends with the plain
// "N passed, N failed" line CI reads. Extra arguments go to jest (e.g. a path filter).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const extra = process.argv.slice(2);

const runs = [
  { name: 'all projects, TZ=UTC', tz: 'UTC', args: [] },
  { name: 'unit specs, TZ=America/New_York', tz: 'America/New_York', args: ['--selectProjects', 'unit'] },
];

let passed = 0;
let failed = 0;
let failedRuns = 0;
for (const run of runs) {
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esi-leap-jest-'));
  const report = path.join(reportDir, 'report.json');
  process.stdout.write(`\n=== ${run.name} ===\n`);
  const result = spawnSync(
    process.execPath,
    [jest, '--runInBand', '--json', `--outputFile=${report}`, ...run.args, ...extra],
    { cwd: root, stdio: 'inherit', env: { ...process.env, TZ: run.tz, SCARF_ANALYTICS: 'false' } },
  );
  if (fs.existsSync(report)) {
    const summary = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed += summary.numPassedTests;
    failed += summary.numFailedTests + summary.numRuntimeErrorTestSuites;
    if (summary.numTotalTests === 0) failedRuns += 1;
  } else {
    failedRuns += 1;
  }
  if (result.status !== 0) failedRuns += 1;
  fs.rmSync(reportDir, { recursive: true, force: true });
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || failedRuns > 0 ? 1 : 0);

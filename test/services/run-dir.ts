import { mkdirSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where this jest run keeps the services its suites start (jest-global-setup.js makes it,
 * jest-global-teardown.js stops what is in it and removes it).
 */
export function runDir(): string {
  const dir = process.env.ESI_LEAP_TEST_RUN_DIR;
  if (!dir) throw new Error('ESI_LEAP_TEST_RUN_DIR is unset: run the suites through jest, whose global setup sets it');
  return dir;
}

/** A service's directory inside the run directory, created if needed. */
export function serviceDir(name: string): string {
  const dir = path.join(runDir(), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

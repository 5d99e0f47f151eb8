import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UtcTime } from '../../src/common/time';

/** The instant the suites' clock stands at. */
export const NOW = '2030-06-01 00:00:00.000000' as UtcTime;

/** `at(hours, seconds)`: an API time that many hours (and seconds) after `base`, in whole seconds. */
export function hoursFrom(base: UtcTime): (hours: number, seconds?: number) => string {
  const origin = Date.parse(`${base.slice(0, 19).replace(' ', 'T')}Z`);
  return (hours, seconds = 0) => new Date(origin + hours * 3_600_000 + seconds * 1000).toISOString().slice(0, 19);
}

/** A limits file in its own temporary directory, and the esi-leap.conf lines naming it. */
export class LimitsFile {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-limits-'));
  readonly path = path.join(this.dir, 'lease-limits.yaml');

  constructor(text: string) {
    this.write(text);
  }

  write(text: string): void {
    writeFileSync(this.path, text);
  }

  conf(): string {
    return `[lease_policy]\nlimits_file = ${this.path}`;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

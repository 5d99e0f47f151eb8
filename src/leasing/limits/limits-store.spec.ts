import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LimitsFileError } from './limits-file';
import { LimitsSource, LimitsStore } from './limits-store';

describe('LimitsStore', () => {
  let dir: string;
  let clock: number;
  let logger: { log: jest.Mock; warn: jest.Mock; error: jest.Mock };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esi-leap-limits-'));
    clock = 1_000_000;
    logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const source = (overrides: Partial<LimitsSource> = {}): LimitsSource => ({
    file: 'lease-limits.yaml',
    required: false,
    searchDirs: [dir],
    ...overrides,
  });
  const store = (src = source()) => new LimitsStore(src, { now: () => clock, logger });
  /** An explicit mtime, so that a rewrite within the same millisecond still counts as a change. */
  function write(text: string, mtimeSeconds = 1_700_000_000, name = 'lease-limits.yaml'): void {
    writeFileSync(join(dir, name), text);
    utimesSync(join(dir, name), mtimeSeconds, mtimeSeconds);
  }

  it('has no limits when the default file is absent', () => {
    expect(store().current()).toBeNull();
  });

  it('refuses to start when a named file is missing or unusable', () => {
    expect(() => store(source({ file: 'mine.yaml', required: true }))).toThrow(LimitsFileError);
    write('defaults:\n  max_lease_length: forever\n');
    expect(() => store()).toThrow(/lease-limits\.yaml: defaults\.max_lease_length: expected a duration/);
  });

  it('finds a relative file in the search directories and an absolute one anywhere', () => {
    write('self_service_extension: true\n', 1_700_000_000, 'elsewhere.yaml');
    expect(
      store(source({ file: join(dir, 'elsewhere.yaml'), searchDirs: ['/nonexistent'] })).current()
        ?.selfServiceExtension,
    ).toBe(true);
  });

  it('picks up a change at most once a second, and the removal of the file', () => {
    write('self_service_extension: false\n');
    const s = store();
    expect(s.current()?.selfServiceExtension).toBe(false);
    write('self_service_extension: true\n', 1_700_000_100);
    expect(s.current()?.selfServiceExtension).toBe(false);
    clock += 1000;
    expect(s.current()?.selfServiceExtension).toBe(true);
    unlinkSync(join(dir, 'lease-limits.yaml'));
    clock += 1000;
    expect(s.current()).toBeNull();
  });

  it('keeps the last good limits when the file turns bad, and logs that once', () => {
    write('defaults:\n  max_extension: 1d\n');
    const s = store();
    write('defaults:\n  max_extension: a while\n', 1_700_000_100);
    for (let i = 0; i < 3; i++) {
      clock += 1000;
      expect(s.current()?.defaults.max_extension).toBe(86_400);
    }
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0][0]).toMatch(/max_extension: expected a duration.*keeping the limits in force/);
  });
});

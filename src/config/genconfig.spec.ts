import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from './config-loader';
import { renderSampleConfig, writeSampleConfig } from './genconfig';
import { parseOsloIni } from './oslo-ini';
import { OPTION_LIST } from './options';

const SAMPLE = path.resolve(__dirname, '../../config/esi-leap.conf.sample');

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-genconfig-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The sample with every `#name = default` line made active, except unset and machine-dependent ones. */
function uncommentedSample(): string {
  const skip = new Set(
    OPTION_LIST.filter((o) => o.def.sampleDefault !== undefined || o.def.kind === 'multistr').map((o) => o.name),
  );
  return renderSampleConfig()
    .split('\n')
    .map((line) => {
      const match = /^#(\w+) =(.*)$/.exec(line);
      if (match === null || match[2] === ' <None>' || skip.has(match[1])) return line;
      return `${match[1]} =${match[2]}`;
    })
    .join('\n');
}

describe('renderSampleConfig', () => {
  it('matches the checked-in config/esi-leap.conf.sample (regenerate with `esi-leap genconfig`)', () => {
    expect(readFileSync(SAMPLE, 'utf8')).toBe(renderSampleConfig());
  });

  it('is a valid file that sets nothing, with a commented default for every option', () => {
    const sample = renderSampleConfig();
    expect(parseOsloIni(sample).entries).toEqual([]);
    const sections = sample.split(/^\[/m).slice(1);
    for (const { section, name } of OPTION_LIST) {
      const body = sections.find((s) => s.startsWith(`${section}]`)) ?? '';
      expect([section, name, new RegExp(`^#${name} =`, 'm').test(body)]).toEqual([section, name, true]);
    }
  });

  it('documents defaults that load back to the same values, with no warning', () => {
    const active = path.join(dir, 'active.conf');
    const empty = path.join(dir, 'empty.conf');
    writeFileSync(active, uncommentedSample());
    writeFileSync(empty, '[DEFAULT]\n');
    const fromSample = loadConfig({ configFiles: [active], env: {} });
    // Setting every option sets those that have no effect too: that one warning is all.
    expect(fromSample.warnings).toEqual([expect.stringMatching(/^options set that have no effect here/)]);
    expect(fromSample.config).toEqual(loadConfig({ configFiles: [empty], env: {} }).config);
  });

  it('wraps help at 80 columns, as upstream generates its sample', () => {
    const long = renderSampleConfig()
      .split('\n')
      .filter((line) => line.length > 80 && !/^#\w+ =/.test(line) && !line.startsWith('# Deprecated group/name'));
    expect(long).toEqual([]);
  });
});

describe('writeSampleConfig', () => {
  it('writes the rendering, creating the directory', () => {
    const file = path.join(dir, 'config', 'esi-leap.conf.sample');
    writeSampleConfig(file);
    expect(readFileSync(file, 'utf8')).toBe(renderSampleConfig());
  });
});

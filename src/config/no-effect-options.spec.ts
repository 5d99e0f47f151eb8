import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from './config-loader';
import { renderSampleConfig } from './genconfig';
import { NO_EFFECT_OPTIONS } from './no-effect-options';
import { renderOptionReference } from './option-reference';
import { OPTIONS, SectionName } from './options';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-no-effect-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string, env: Record<string, string> = {}) {
  const file = path.join(dir, 'esi-leap.conf');
  writeFileSync(file, text);
  return loadConfig({ configFiles: [file], env });
}

const NO_EFFECT_WARNING = /^options set that have no effect here, accepted for compatibility only: /;

describe('options with no effect', () => {
  it('names only options that exist', () => {
    for (const [section, names] of Object.entries(NO_EFFECT_OPTIONS)) {
      const options = OPTIONS[section as SectionName] as Record<string, unknown>;
      for (const name of names) expect([section, name, name in options]).toEqual([section, name, true]);
    }
  });

  it('are named in one warning when a file sets them, and options in use are not', () => {
    const { warnings } = load(
      [
        '[DEFAULT]',
        'use_syslog = true',
        'log_level = debug',
        '[database]',
        'connection = sqlite://',
        'max_overflow = 50',
        '[api]',
        'port = 7777',
        'api_workers = 4',
        '[keystone_authtoken]',
        'memcached_servers = mc1:11211',
        'token_cache_time = 300',
        '[pecan]',
        'root = esi_leap.api.controllers.root.RootController',
        'auth_enable = false',
      ].join('\n'),
    );
    const matching = warnings.filter((w) => NO_EFFECT_WARNING.test(w));
    expect(matching).toEqual([
      'options set that have no effect here, accepted for compatibility only: [DEFAULT] use_syslog, [api] api_workers, ' +
        '[database] max_overflow, [keystone_authtoken] memcached_servers, [pecan] root',
    ]);
  });

  it('counts options set through the environment as well', () => {
    const { warnings } = load('[DEFAULT]\n', {
      ESI_LEAP__OSLO_CONCURRENCY__LOCK_PATH: '/var/lock/esi-leap',
      ESI_LEAP__API__PORT: '8080',
    });
    expect(warnings).toEqual([
      'options set that have no effect here, accepted for compatibility only: [oslo_concurrency] lock_path',
    ]);
  });

  it('give no warning when none is set', () => {
    expect(load('[api]\nport = 7777\n[database]\nconnection = sqlite://\n').warnings).toEqual([]);
  });

  it('are marked in the sample file and in the option reference', () => {
    const sample = renderSampleConfig();
    const block = (name: string) =>
      sample
        .slice(0, sample.indexOf(`\n#${name} =`))
        .split('\n\n')
        .pop();
    expect(block('use_syslog')).toContain('# Accepted for compatibility, no effect.');
    expect(block('log_level')).not.toContain('no effect');
    const reference = renderOptionReference();
    expect(reference).toMatch(/^\| `max_overflow` \| .* \| \*\*Accepted for compatibility, no effect\.\*\* /m);
    expect(reference).toMatch(/^\| `max_pool_size` \| (?!.*no effect).*$/m);
  });
});

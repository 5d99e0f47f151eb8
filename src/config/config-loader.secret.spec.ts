import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from './config-loader';

// No upstream secret option is validated today; a made-up one shows a bad secret is not echoed.
jest.mock('./options', () => {
  const actual = jest.requireActual<typeof import('./options')>('./options');
  const { fromNamespace, intOpt } = jest.requireActual<typeof import('./option-types')>('./option-types');
  const pin = fromNamespace('test', { pin: intOpt('A secret number.', { secret: true }) }).pin;
  return { ...actual, OPTION_LIST: [...actual.OPTION_LIST, { section: 'api', name: 'pin', def: pin }] };
});

describe('loadConfig with a secret option', () => {
  it('masks the value in the error message', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-secret-'));
    const file = path.join(dir, 'a.conf');
    writeFileSync(file, '[api]\npin = hunter2\n');
    try {
      expect(() => loadConfig({ configFiles: [file], env: {} })).toThrow(
        new ConfigError("[api] pin: invalid value '****': expected an integer"),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

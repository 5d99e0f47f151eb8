import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCredentials } from '../auth/request-context';
import { ConfigModule } from '../config/config.module';
import { loadConfig } from '../config/config-loader';
import { PolicyFileError } from './policy-file';
import { PolicyGuard } from './policy.guard';
import { PolicyModule } from './policy.module';
import { PolicyService } from './policy.service';

describe('PolicyModule', () => {
  let root: string;
  let etc: string;
  const nobody = { ...emptyCredentials(), project_id: 'p1', roles: [] };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'esi-leap-policy-module-'));
    etc = join(root, 'etc', 'esi-leap');
    mkdirSync(etc, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function compile(conf: string) {
    writeFileSync(join(etc, 'esi-leap.conf'), conf);
    const loaded = loadConfig({ configFiles: [join(etc, 'esi-leap.conf')], env: {}, cwd: root });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loaded), PolicyModule],
    }).compile();
    return moduleRef;
  }

  it('reads policy.yaml from the config file’s directory and provides the guard', async () => {
    writeFileSync(join(etc, 'policy.yaml'), '"esi_leap:offer:get_all": "@"\n');
    const moduleRef = await compile('[DEFAULT]\n');
    expect(moduleRef.get(PolicyService).enforce('esi_leap:offer:get_all', nobody)).toBe(true);
    expect(moduleRef.get(PolicyService).enforce('esi_leap:offer:create', nobody)).toBe(false);
    expect(moduleRef.get(PolicyGuard)).toBeInstanceOf(PolicyGuard);
  });

  it('starts with the defaults when the default policy file is absent', async () => {
    const moduleRef = await compile('[DEFAULT]\n');
    expect(moduleRef.get(PolicyService).enforce('esi_leap:offer:get_all', nobody)).toBe(false);
  });

  it('refuses to start when the policy_file the operator named is missing', async () => {
    await expect(compile('[oslo_policy]\npolicy_file = custom-policy.yaml\n')).rejects.toThrow(PolicyFileError);
  });

  it('enforces policy in noauth mode too, on the identity from the headers', async () => {
    const moduleRef = await compile('[pecan]\nauth_enable = false\n');
    expect(moduleRef.get(PolicyService).enforce('esi_leap:lease:lease_admin', nobody)).toBe(false);
  });
});

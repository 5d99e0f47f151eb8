import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCredentials, RequestContext } from '../auth/request-context';
import { ManualClock } from '../common/clock';
import { NodeNotFound } from '../common/errors/esi-leap.exceptions';
import { fromEpochMicros } from '../common/time';
import { loadConfig } from '../config/config-loader';
import { ResourceDriver, ResourceInfo } from '../drivers/resource-driver';
import { ResourceDriverRegistry } from '../drivers/resource-driver.registry';
import { PolicyService } from '../policy/policy.service';
import { ConsoleAuthTokensRepository } from './tokens/console-auth-tokens.repository';
import { ConsoleAuthTokensService } from './console-auth-tokens.service';
import { hashConsoleToken } from './tokens/console-token';

const NODE: ResourceInfo = {
  uuid: 'node-1',
  name: 'n1',
  resourceClass: 'baremetal',
  properties: {},
  ownerProjectId: 'owner-project',
  lesseeProjectId: 'lessee-project',
  leaseUuid: null,
  provisionState: 'active',
  powerState: 'power on',
};

function caller(projectId: string, roles: string[]): RequestContext {
  return {
    creds: { ...emptyCredentials(), project_id: projectId, roles },
    authToken: 't',
    projectName: null,
    requestId: 'req-1',
  };
}

describe('ConsoleAuthTokensService with policy enforced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-spec-'));
  writeFileSync(
    join(dir, 'esi-leap.conf'),
    '[api]\ndefault_resource_type = fake_node\n[serialconsoleproxy]\ntoken_ttl = 60\n',
  );
  const { config } = loadConfig({ configFiles: [join(dir, 'esi-leap.conf')], env: {} });
  rmSync(dir, { recursive: true, force: true });
  // 2030-01-01T00:00:00.75Z: the fraction must be dropped before the TTL is added.
  const now = 1893456000;
  const clock = new ManualClock(fromEpochMicros(BigInt(now) * 1_000_000n + 750_000n));
  let driver: jest.Mocked<Pick<ResourceDriver, 'resolveIdent' | 'get' | 'setConsoleEnabled'>> & {
    resourceType: string;
  };
  let tokens: { create: jest.Mock; deleteForNode: jest.Mock };
  let service: ConsoleAuthTokensService;

  beforeEach(() => {
    driver = {
      resourceType: 'fake_node',
      resolveIdent: jest.fn(async (ident: string) => (ident === 'n1' ? 'node-1' : ident)),
      get: jest.fn(async (uuid: string) => (uuid === 'node-1' ? NODE : null)),
      setConsoleEnabled: jest.fn(async () => undefined),
    };
    tokens = { create: jest.fn(async () => undefined), deleteForNode: jest.fn(async () => 1) };
    service = new ConsoleAuthTokensService(
      config,
      clock,
      new ResourceDriverRegistry([driver as unknown as ResourceDriver]),
      PolicyService.forTesting({}, true),
      tokens as unknown as ConsoleAuthTokensRepository,
    );
  });

  it.each([
    ['the owner project', caller('owner-project', ['owner'])],
    ['the lessee project', caller('lessee-project', [])],
    ['an admin of another project', caller('admin-project', ['admin'])],
  ])('%s gets a token for the node, by name; its console is enabled', async (_who, ctx) => {
    const view = await service.create(ctx, { nodeUuidOrName: 'n1', tokenTtl: undefined });
    expect(view.node_uuid).toBe('node-1');
    expect(view.access_url).toBe(`ws://0.0.0.0:6083/?token=${view.token}`);
    expect(driver.setConsoleEnabled).toHaveBeenCalledWith('node-1', true);
    expect(tokens.create).toHaveBeenCalledWith({
      nodeUuid: 'node-1',
      tokenHash: hashConsoleToken(view.token),
      expires: now + 60,
      createdAt: clock.now(),
    });
  });

  it('any other project sees the same 404 as for a missing node (Ironic hides the node from it)', async () => {
    const stranger = caller('other-project', ['lessee']);
    const notFound = new NodeNotFound({ uuid: 'n1', resource_type: 'fake_node', err: 'Node not found' });
    await expect(service.create(stranger, { nodeUuidOrName: 'n1', tokenTtl: 30 })).rejects.toThrow(notFound);
    await expect(service.deleteForNode(stranger, 'n1')).rejects.toThrow(notFound);
    expect(tokens.create).not.toHaveBeenCalled();
    expect(tokens.deleteForNode).not.toHaveBeenCalled();
    expect(driver.setConsoleEnabled).not.toHaveBeenCalled();
  });

  it('checks token_ttl before looking the node up', async () => {
    await expect(
      service.create(caller('owner-project', []), { nodeUuidOrName: 'gone', tokenTtl: 'abc' }),
    ).rejects.toThrow("invalid literal for int() with base 10: 'abc'");
    expect(driver.get).not.toHaveBeenCalled();
  });

  it('delete revokes the tokens of the resolved node uuid', async () => {
    await service.deleteForNode(caller('lessee-project', []), 'n1');
    expect(tokens.deleteForNode).toHaveBeenCalledWith('node-1');
  });
});

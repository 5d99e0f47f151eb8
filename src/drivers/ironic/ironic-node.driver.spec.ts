import { NodeNotFound, ServiceUnavailable } from '../../common/errors/esi-leap.exceptions';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { IronicClient, JsonPatchOp } from './ironic-client';
import { IronicNode } from './ironic-node';
import { IronicNodeDriver } from './ironic-node.driver';

const LEASE = { uuid: 'lease-1', projectId: 'lessee-project' };
const UUID = '11111111-2222-3333-4444-555555555555';

/** An in-memory Ironic behind the IronicClient surface, recording each call and able to fail one. */
class FakeIronic {
  node: IronicNode | null;
  vifs: string[] = [];
  calls: string[] = [];
  failOn: string | null = null;

  constructor(node: Partial<IronicNode>) {
    this.node = {
      uuid: UUID,
      name: 'n1',
      owner: 'owner',
      lessee: null,
      properties: {},
      instance_info: {},
      extra: {},
      ...node,
    };
  }

  private step(call: string): IronicNode {
    this.calls.push(call);
    if (this.failOn === call) {
      this.failOn = null;
      throw new ServiceUnavailable({ service: 'Ironic' });
    }
    if (!this.node) throw new NodeNotFound({ uuid: UUID, resource_type: 'ironic_node', err: 'gone' });
    return this.node;
  }

  client(): IronicClient {
    return {
      getNode: async () => structuredClone(this.step('get')),
      listNodes: async () => (this.node ? [structuredClone(this.node)] : []),
      patchNode: async (_uuid: string, ops: JsonPatchOp[]) => {
        const node = this.step(`patch ${ops.map((o) => `${o.op} ${o.path}`).join(', ')}`);
        const properties = { ...node.properties };
        const next: Record<string, unknown> = { ...node };
        for (const op of ops) {
          if (op.path === '/properties/lease_uuid') {
            if (op.op === 'remove') delete properties.lease_uuid;
            else properties.lease_uuid = op.value;
          } else {
            next[op.path.slice(1)] = op.op === 'remove' ? (op.path === '/lessee' ? null : {}) : op.value;
          }
        }
        this.node = { ...(next as unknown as IronicNode), properties };
        return this.node;
      },
      setConsoleEnabled: async (_uuid: string, enabled: boolean) => void this.step(`console ${enabled}`),
      setProvisionState: async (_uuid: string, target: string) => {
        const node = this.step(`provision ${target}`);
        this.node = { ...node, provision_state: 'deleting' };
      },
      listVifs: async () => (this.step('vifs'), [...this.vifs]),
      detachVif: async (_uuid: string, vif: string) => {
        this.step(`detach ${vif}`);
        this.vifs = this.vifs.filter((v) => v !== vif);
      },
    } as unknown as IronicClient;
  }
}

function driverOn(fake: FakeIronic): IronicNodeDriver {
  return new IronicNodeDriver({ ironic: { node_list_cache_ttl: 10 } } as unknown as EsiLeapConfig, fake.client());
}

const leased = (extra: Partial<IronicNode> = {}): Partial<IronicNode> => ({
  lessee: LEASE.projectId,
  properties: { cpus: 4, lease_uuid: LEASE.uuid, capabilities: 'boot_mode:uefi' },
  ...extra,
});

describe('IronicNodeDriver', () => {
  it('shows properties without lease_uuid and capabilities, and the lease from properties', async () => {
    const info = await driverOn(new FakeIronic(leased({ provision_state: 'available' }))).get(UUID);
    expect(info).toMatchObject({
      uuid: UUID,
      name: 'n1',
      properties: { cpus: 4 },
      leaseUuid: LEASE.uuid,
      lesseeProjectId: LEASE.projectId,
    });
  });

  it('get() of a node Ironic does not have is null', async () => {
    const fake = new FakeIronic({});
    fake.node = null;
    await expect(driverOn(fake).get(UUID)).resolves.toBeNull();
  });

  it('setLease is one PATCH adding lease_uuid and lessee', async () => {
    const fake = new FakeIronic({});
    await driverOn(fake).setLease(UUID, LEASE);
    expect(fake.calls).toEqual(['patch add /properties/lease_uuid, add /lessee']);
    expect(fake.node).toMatchObject({ lessee: LEASE.projectId, properties: { lease_uuid: LEASE.uuid } });
  });

  it('removeLease on an active node: console off, undeploy, then one PATCH clearing everything', async () => {
    const fake = new FakeIronic(
      leased({ provision_state: 'active', instance_info: { image_source: 'x' }, extra: { a: 1 } }),
    );
    await driverOn(fake).removeLease(UUID, LEASE);
    expect(fake.calls).toEqual([
      'get',
      'console false',
      'provision deleted',
      'get',
      'patch remove /properties/lease_uuid, remove /lessee, remove /instance_info, remove /extra',
    ]);
    expect(fake.node).toMatchObject({
      lessee: null,
      instance_info: {},
      extra: {},
      properties: { cpus: 4, capabilities: 'boot_mode:uefi' },
    });
  });

  it('removeLease on an available node detaches every VIF instead', async () => {
    const fake = new FakeIronic(leased({ provision_state: 'available' }));
    fake.vifs = ['v1', 'v2'];
    await driverOn(fake).removeLease(UUID, LEASE);
    expect(fake.calls).toEqual([
      'get',
      'console false',
      'vifs',
      'detach v1',
      'detach v2',
      'get',
      'patch remove /properties/lease_uuid, remove /lessee',
    ]);
  });

  it('leaves a node holding another lease, or gone from Ironic, untouched', async () => {
    const other = new FakeIronic(leased({ properties: { lease_uuid: 'someone-else' } }));
    await driverOn(other).removeLease(UUID, LEASE);
    expect(other.calls).toEqual(['get']);
    const gone = new FakeIronic({});
    gone.node = null;
    await expect(driverOn(gone).removeLease(UUID, LEASE)).resolves.toBeUndefined();
  });

  it.each([
    'console false',
    'provision deleted',
    'patch remove /properties/lease_uuid, remove /lessee, remove /instance_info',
  ])('a retry after a failure at "%s" completes the clean-up', async (failing) => {
    const fake = new FakeIronic(leased({ provision_state: 'active', instance_info: { image_source: 'x' } }));
    fake.failOn = failing;
    const driver = driverOn(fake);
    await expect(driver.removeLease(UUID, LEASE)).rejects.toThrow(ServiceUnavailable);
    // the lease is still on the node, so the caller's "does the node hold it" check passes again
    expect((await driver.get(UUID))?.leaseUuid).toBe(LEASE.uuid);
    await driver.removeLease(UUID, LEASE);
    expect(fake.node).toMatchObject({ lessee: null, instance_info: {}, properties: { cpus: 4 } });
    // undeploy was sent once, plus once more only if that very call had failed
    expect(fake.calls.filter((c) => c === 'provision deleted')).toHaveLength(failing === 'provision deleted' ? 2 : 1);
  });

  it('getMany is one list call, cached until a lease change', async () => {
    const fake = new FakeIronic({});
    const list = jest.fn(fake.client().listNodes);
    const driver = new IronicNodeDriver(
      { ironic: { node_list_cache_ttl: 10 } } as unknown as EsiLeapConfig,
      {
        ...fake.client(),
        listNodes: list,
      } as unknown as IronicClient,
    );
    expect([...(await driver.getMany([UUID, 'missing'])).keys()]).toEqual([UUID]);
    await driver.getMany([UUID]);
    expect(list).toHaveBeenCalledTimes(1);
    await driver.setLease(UUID, LEASE);
    expect((await driver.getMany([UUID])).get(UUID)?.leaseUuid).toBe(LEASE.uuid);
    expect(list).toHaveBeenCalledTimes(2);
  });

  it("answers the service's recentEnough list from the list cache, filtered as Ironic filters; a user's list always asks", async () => {
    const fake = new FakeIronic({ resource_class: 'gpu', owner: 'owner', lessee: 'lessee-project' });
    const list = jest.fn(fake.client().listNodes);
    const driver = new IronicNodeDriver({ ironic: { node_list_cache_ttl: 10 } } as unknown as EsiLeapConfig, {
      ...fake.client(),
      listNodes: list,
    } as unknown as IronicClient);
    const uuids = async (filters: Parameters<IronicNodeDriver['listNodes']>[0], token: string | null = null) =>
      (await driver.listNodes(filters, token)).map((n) => n.uuid);
    expect(await uuids({ recentEnough: true })).toEqual([UUID]);
    expect(await uuids({ recentEnough: true, resourceClass: 'gpu', owner: 'owner', lessee: 'lessee-project' })).toEqual([UUID]);
    expect(await uuids({ recentEnough: true, resourceClass: 'cpu' })).toEqual([]);
    expect(await uuids({ recentEnough: true, owner: 'someone-else' })).toEqual([]);
    expect(await uuids({ recentEnough: true, lessee: 'someone-else' })).toEqual([]);
    expect(list).toHaveBeenCalledTimes(1);
    await uuids({ recentEnough: true }, 'user-token');
    await uuids({});
    expect(list).toHaveBeenCalledTimes(3);
  });
});

describe('IronicNodeDriver console endpoint', () => {
  const driverWithConsole = (console: unknown) =>
    new IronicNodeDriver({ ironic: { node_list_cache_ttl: 10 } } as unknown as EsiLeapConfig, {
      getConsole: async () => console,
    } as unknown as IronicClient);

  it('reads the socat console address', async () => {
    const driver = driverWithConsole({ console_enabled: true, console_info: { type: 'socat', url: 'tcp://10.0.0.5:8023' } });
    expect(await driver.consoleEndpoint('n1')).toEqual({ host: '10.0.0.5', port: 8023 });
  });

  it('is null while the console is off', async () => {
    expect(await driverWithConsole({ console_enabled: false, console_info: null }).consoleEndpoint('n1')).toBeNull();
  });

  it('refuses a console type the proxy cannot serve', async () => {
    const driver = driverWithConsole({ console_enabled: true, console_info: { type: 'shellinabox', url: 'http://x' } });
    await expect(driver.consoleEndpoint('n1')).rejects.toThrow('Unsupported console type shellinabox');
  });
});

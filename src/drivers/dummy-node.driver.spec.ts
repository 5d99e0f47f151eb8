import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClientError, NodeNotFound } from '../common/errors/esi-leap.exceptions';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { DummyNodeDriver } from './dummy-node.driver';

describe('DummyNodeDriver node files', () => {
  let dir: string;
  let driver: DummyNodeDriver;
  const lease = { uuid: 'lease-1', projectId: 'lessee-1' };
  const doc = (uuid: string) => JSON.parse(readFileSync(path.join(dir, uuid), 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-dummy-'));
    driver = new DummyNodeDriver({ dummy_node: { dummy_node_dir: dir } } as EsiLeapConfig);
    writeFileSync(path.join(dir, 'n1'), JSON.stringify({ project_owner_id: 'owner-1', resource_class: 'fast', properties: { cpus: 4 } }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sets and removes a lease, keeping the other fields', async () => {
    await driver.setLease('n1', lease);
    expect(doc('n1')).toEqual({ project_owner_id: 'owner-1', resource_class: 'fast', properties: { cpus: 4 }, lease_uuid: 'lease-1', project_id: 'lessee-1' });
    expect(await driver.get('n1')).toMatchObject({ leaseUuid: 'lease-1', lesseeProjectId: 'lessee-1', ownerProjectId: 'owner-1' });

    await driver.removeLease('n1', { uuid: 'someone-else', projectId: 'x' });
    expect(doc('n1')).toMatchObject({ lease_uuid: 'lease-1' });
    await driver.removeLease('n1', lease);
    expect(doc('n1')).toEqual({ project_owner_id: 'owner-1', resource_class: 'fast', properties: { cpus: 4 } });
  });

  it('replaces the file by rename and keeps the old inode as the hidden spare, which lists ignore', async () => {
    const before = statSync(path.join(dir, 'n1')).ino;
    await driver.setLease('n1', lease);
    const afterFirst = statSync(path.join(dir, 'n1')).ino;
    expect(afterFirst).not.toBe(before);
    expect(statSync(path.join(dir, '.n1.spare')).ino).toBe(before);

    await driver.removeLease('n1', lease);
    // The second write reuses the first file's inode instead of creating one.
    expect(statSync(path.join(dir, 'n1')).ino).toBe(before);
    expect(statSync(path.join(dir, '.n1.spare')).ino).toBe(afterFirst);
    expect(readdirSync(dir).sort()).toEqual(['.n1.spare', 'n1']);
    expect((await driver.listNodes({})).map((n) => n.uuid)).toEqual(['n1']);
  });

  it('writes correctly after a write interrupted between its steps', async () => {
    await driver.setLease('n1', lease);
    // As if a process died after linking the live file aside and before renaming the spare.
    writeFileSync(path.join(dir, '.n1.previous'), 'stale');
    writeFileSync(path.join(dir, '.n1.spare'), '{"half": "a longer document than the next one will be"}');
    await driver.removeLease('n1', lease);
    expect(doc('n1')).toEqual({ project_owner_id: 'owner-1', resource_class: 'fast', properties: { cpus: 4 } });
    expect(readdirSync(dir).sort()).toEqual(['.n1.spare', 'n1']);
  });

  it('sees a file edited in place, replaced, made malformed or removed behind its back', async () => {
    expect(await driver.get('n1')).toMatchObject({ resourceClass: 'fast' });
    writeFileSync(path.join(dir, 'n1'), JSON.stringify({ project_owner_id: 'owner-2', resource_class: 'slow' }));
    expect(await driver.get('n1')).toMatchObject({ resourceClass: 'slow', ownerProjectId: 'owner-2' });
    await driver.setLease('n1', lease);
    expect(await driver.get('n1')).toMatchObject({ resourceClass: 'slow', leaseUuid: 'lease-1' });
    writeFileSync(path.join(dir, 'n1'), '{not json');
    expect(await driver.get('n1')).toBeNull();
    rmSync(path.join(dir, 'n1'));
    expect(await driver.get('n1')).toBeNull();
    expect((await driver.getMany(['n1'])).size).toBe(0);
  });

  it('lists may use a document checked within the last second; single reads always look', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      expect((await driver.getMany(['n1'])).get('n1')).toMatchObject({ resourceClass: 'fast' });
      writeFileSync(path.join(dir, 'n1'), JSON.stringify({ resource_class: 'slow' }));
      expect((await driver.getMany(['n1'])).get('n1')).toMatchObject({ resourceClass: 'fast' });
      jest.setSystemTime(new Date('2030-01-01T00:00:01.001Z'));
      expect((await driver.getMany(['n1'])).get('n1')).toMatchObject({ resourceClass: 'slow' });
      writeFileSync(path.join(dir, 'n1'), JSON.stringify({ resource_class: 'medium' }));
      expect(await driver.get('n1')).toMatchObject({ resourceClass: 'medium' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('a recentEnough list uses a file looked at within the last second as it was; a plain list looks again', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const recent = async () => (await driver.listNodes({ recentEnough: true })).map((n) => n.resourceClass);
      expect(await recent()).toEqual(['fast']);
      writeFileSync(path.join(dir, 'n1'), JSON.stringify({ resource_class: 'slow' }));
      expect(await recent()).toEqual(['fast']);
      expect((await driver.listNodes({})).map((n) => n.resourceClass)).toEqual(['slow']);
      writeFileSync(path.join(dir, 'n1'), JSON.stringify({ resource_class: 'medium' }));
      jest.setSystemTime(new Date('2030-01-01T00:00:01.001Z'));
      expect(await recent()).toEqual(['medium']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('lists see nodes added, edited in place and removed, also once the directory has settled', async () => {
    const classes = async () => (await driver.listNodes({})).map((n) => `${n.uuid}:${n.resourceClass}`);
    // An old mtime, so the directory's listing is kept and reused while the mtime stays.
    const past = new Date(Date.now() - 60_000);
    utimesSync(dir, past, past);
    expect(await classes()).toEqual(['n1:fast']);
    expect(await classes()).toEqual(['n1:fast']);
    writeFileSync(path.join(dir, 'n2'), JSON.stringify({ resource_class: 'slow' }));
    expect(await classes()).toEqual(['n1:fast', 'n2:slow']);
    utimesSync(dir, past, past);
    expect(await classes()).toEqual(['n1:fast', 'n2:slow']);
    writeFileSync(path.join(dir, 'n1'), JSON.stringify({ resource_class: 'medium', properties: { cpus: 8 } }));
    expect(await driver.listNodes({ resourceClass: 'medium' })).toMatchObject([{ uuid: 'n1', properties: { cpus: 8 } }]);
    rmSync(path.join(dir, 'n2'));
    expect(await classes()).toEqual(['n1:medium']);
  });

  it('reports a missing node in upstream\'s words, without the server\'s path, and refuses ids that leave the directory', async () => {
    const missing = await driver.setLease('missing', lease).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(NodeNotFound);
    expect((missing as NodeNotFound).message).toBe(
      "Encountered an error fetching info for node missing (dummy_node): [Errno 2] No such file or directory: 'missing'",
    );
    expect((missing as NodeNotFound).message).not.toContain(dir);
    await expect(driver.setLease('../n1', lease)).rejects.toThrow(NodeNotFound);
    await expect(driver.resolveIdent('../n1')).rejects.toThrow(NodeNotFound);
    expect(await driver.get('..')).toBeNull();
    expect(readdirSync(dir)).toEqual(['n1']);
  });

  it('never takes a hidden file, its own spares among them, for a node', async () => {
    await driver.setLease('n1', lease);
    expect(readdirSync(dir)).toContain('.n1.spare');
    writeFileSync(path.join(dir, '.hidden'), JSON.stringify({ project_owner_id: 'owner-1' }));
    for (const id of ['.n1.spare', '.hidden']) {
      const refused = await driver.resolveIdent(id).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(NodeNotFound);
      expect((refused as NodeNotFound).status).toBe(404);
      expect((refused as NodeNotFound).message).toBe(
        `Encountered an error fetching info for node ${id} (dummy_node): [Errno 2] No such file or directory: '${id}'`,
      );
      expect(await driver.get(id)).toBeNull();
      expect((await driver.getMany([id])).size).toBe(0);
      await expect(driver.setLease(id, lease)).rejects.toThrow(NodeNotFound);
    }
    expect((await driver.listNodes({})).map((n) => n.uuid)).toEqual(['n1']);
    expect(JSON.parse(readFileSync(path.join(dir, '.hidden'), 'utf8'))).toEqual({ project_owner_id: 'owner-1' });
  });

  it('takes ids up to the width of resource_uuid (36 characters) and refuses longer ones with a 400', async () => {
    const longest = 'é'.repeat(36);
    expect(await driver.resolveIdent(longest)).toBe(longest);
    expect(await driver.resolveIdent('n1')).toBe('n1');
    const refused = await driver.resolveIdent('x'.repeat(37)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).status).toBe(400);
    expect((refused as ClientError).message).toBe(`A dummy_node id is at most 36 characters long; '${'x'.repeat(37)}' has 37.`);
  });
});

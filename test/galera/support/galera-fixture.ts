import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfSections, writeLocalConf } from '../../support/local-conf';
import { P, PROJECT_ENTRIES } from '../../support/projects';
import { snapshotPackage } from '../../reliability/support/package-snapshot';
import { EsiLeapProcesses } from './esi-leap-processes';
import { createDatabase, GaleraCluster, GaleraDatabase, loadCluster, tablesWithoutPrimaryKey } from './galera-cluster';

/**
 * What every Galera scenario starts from: the running cluster, a private database migrated by
 * `esi-leap-dbsync upgrade` through HAProxy (all writers), a private copy of the build, and a
 * dummy-node directory shared by the processes it starts.
 */
export class GaleraFixture {
  /** `esi-leap-dbsync upgrade`: its output and wall time. */
  readonly migration = { output: '', seconds: 0 };

  private constructor(
    readonly cluster: GaleraCluster,
    readonly db: GaleraDatabase,
    readonly dir: string,
    readonly nodeDir: string,
    readonly processes: EsiLeapProcesses,
  ) {}

  static async create(): Promise<GaleraFixture> {
    const cluster = loadCluster();
    const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-galera-run-'));
    const nodeDir = path.join(dir, 'nodes');
    mkdirSync(nodeDir);
    const processes = new EsiLeapProcesses(snapshotPackage(path.join(dir, 'package')), dir);
    const db = await createDatabase(cluster);
    const fixture = new GaleraFixture(cluster, db, dir, nodeDir, processes);
    try {
      const started = Date.now();
      fixture.migration.output = await processes.dbsyncUpgrade(fixture.writeConf('dbsync', cluster.allWritersUrl));
      fixture.migration.seconds = (Date.now() - started) / 1000;
      return fixture;
    } catch (err) {
      await fixture.close();
      throw err;
    }
  }

  /** Writes `<name>.conf` for a process connected to `serverUrl` (a node or an HAProxy listener), plus `extra` options. */
  writeConf(name: string, serverUrl: string, extra: ConfSections = {}): string {
    const conf = path.join(this.dir, `${name}.conf`);
    writeLocalConf(
      conf,
      { connection: this.db.url(serverUrl), nodeDir: this.nodeDir },
      {
        api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
        noauth: { project_id: P.admin, projects: PROJECT_ENTRIES.join(',') },
        ...extra,
      },
    );
    return conf;
  }

  /** A dummy node owned by the owner project. */
  addNode(name: string): void {
    writeFileSync(
      path.join(this.nodeDir, name),
      JSON.stringify({ project_owner_id: P.owner, resource_class: 'baremetal' }),
    );
  }

  /** What the dummy driver holds for a node: its owner, and the lease and lessee while leased. */
  nodeFile(name: string): Record<string, unknown> {
    return JSON.parse(readFileSync(path.join(this.nodeDir, name), 'utf8')) as Record<string, unknown>;
  }

  tablesWithoutPrimaryKey(): Promise<string[]> {
    return tablesWithoutPrimaryKey(this.cluster, this.db.name);
  }

  async close(): Promise<void> {
    await this.processes.stopAll();
    await this.db.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';

const SCRIPT = path.resolve(__dirname, '..', '..', 'services', 'galera.sh');

/**
 * The cluster `test/services/galera.sh start` runs, as its `cluster.env` describes it: three
 * nodes on loopback and the HAProxy listeners in front of them. Node numbers are 1-based, as in
 * the script.
 */
export interface GaleraCluster {
  readonly nodes: readonly { readonly number: number; readonly port: number; readonly url: string }[];
  /** Node 1 takes every connection, nodes 2 and 3 are backups. */
  readonly oneWriterUrl: string;
  /** Round-robin over the three nodes. */
  readonly allWritersUrl: string;
  /** Index i-1: node i first, the others backups (all writers, one node per client). */
  readonly nodeFirstUrls: readonly string[];
}

function stateDir(): string {
  return process.env.ESI_LEAP_GALERA_STATE ?? '/tmp/esi-leap-galera';
}

export function loadCluster(): GaleraCluster {
  const file = path.join(stateDir(), 'cluster.env');
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: start the cluster with test/services/galera.sh start, or run npm run test:galera`,
    );
  }
  const env = new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const get = (name: string) => {
    const value = env.get(name);
    if (!value) throw new Error(`${file}: ${name} is missing`);
    return value;
  };
  return {
    nodes: [1, 2, 3].map((number) => {
      const url = get(`GALERA_NODE${number}_URL`);
      return { number, url, port: Number(/:(\d+)$/.exec(url)![1]) };
    }),
    oneWriterUrl: get('GALERA_ONE_WRITER_URL'),
    allWritersUrl: get('GALERA_ALL_WRITERS_URL'),
    nodeFirstUrls: [1, 2, 3].map((number) => get(`GALERA_NODE${number}_FIRST_URL`)),
  };
}

/** Runs `galera.sh <args>`; resolves with its output, rejects with it when it fails. */
export function galeraScript(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { timeout: 600_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`galera.sh ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout + stderr),
    );
  });
}

/** A direct connection to one node (not through HAProxy), as root. */
export function connectNode(cluster: GaleraCluster, node: number, database?: string): Promise<Connection> {
  const { port } = cluster.nodes[node - 1];
  return createConnection({ host: '127.0.0.1', port, user: 'root', database, connectTimeout: 5000 });
}

async function onNode<T>(
  cluster: GaleraCluster,
  node: number,
  work: (c: Connection) => Promise<T>,
  database?: string,
): Promise<T> {
  const connection = await connectNode(cluster, node, database);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export interface WsrepCounters {
  /** Local transactions that failed certification (each one a 1213 to the client). */
  certFailures: number;
  /** Local transactions aborted by a replicated one (brute-force aborts, also 1213). */
  bfAborts: number;
  lastCommitted: number;
  clusterSize: number;
  state: string;
}

export function wsrepCounters(cluster: GaleraCluster, node: number): Promise<WsrepCounters> {
  return onNode(cluster, node, async (c) => {
    const [rows] = await c.query(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts', " +
        "'wsrep_last_committed', 'wsrep_cluster_size', 'wsrep_local_state_comment')",
    );
    const value = new Map(
      (rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name, r.Value]),
    );
    return {
      certFailures: Number(value.get('wsrep_local_cert_failures')),
      bfAborts: Number(value.get('wsrep_local_bf_aborts')),
      lastCommitted: Number(value.get('wsrep_last_committed')),
      clusterSize: Number(value.get('wsrep_cluster_size')),
      state: String(value.get('wsrep_local_state_comment')),
    };
  });
}

/** Sum over the three nodes of the transactions Galera made the service retry. */
export async function retriedByGalera(cluster: GaleraCluster): Promise<{ certFailures: number; bfAborts: number }> {
  const all = await Promise.all(cluster.nodes.map((n) => wsrepCounters(cluster, n.number)));
  return {
    certFailures: all.reduce((sum, c) => sum + c.certFailures, 0),
    bfAborts: all.reduce((sum, c) => sum + c.bfAborts, 0),
  };
}

export interface GaleraDatabase {
  readonly name: string;
  /** `[database] connection` for `serverUrl` (a node or an HAProxy listener). */
  url(serverUrl: string): string;
  drop(): Promise<void>;
}

/** A fresh, empty database (created on node 1, replicated to the others). */
export async function createDatabase(cluster: GaleraCluster): Promise<GaleraDatabase> {
  const name = `esi_leap_g_${randomBytes(6).toString('hex')}`;
  await onNode(cluster, 1, (c) => c.query(`CREATE DATABASE \`${name}\``));
  return {
    name,
    url: (serverUrl) => `${serverUrl}/${name}`,
    drop: () => onNode(cluster, 1, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
  };
}

/** Tables of `database` without a primary key (Galera cannot replicate their deletes safely). */
export async function tablesWithoutPrimaryKey(cluster: GaleraCluster, database: string): Promise<string[]> {
  const [rows] = await onNode(cluster, 1, (c) =>
    c.query(
      `SELECT t.table_name AS name FROM information_schema.tables t
        WHERE t.table_schema = ? AND NOT EXISTS (
          SELECT 1 FROM information_schema.table_constraints k
           WHERE k.table_schema = t.table_schema AND k.table_name = t.table_name AND k.constraint_type = 'PRIMARY KEY')`,
      [database],
    ),
  );
  return (rows as Array<{ name: string }>).map((r) => r.name);
}

/** Runs `sql` on one node, in `database`. */
export async function queryNode<T>(
  cluster: GaleraCluster,
  node: number,
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const [rows] = await onNode(cluster, node, (c) => c.query(sql, params), database);
  return rows as T[];
}

/**
 * Waits until the three nodes have applied the same write sets, then returns each node's
 * `CHECKSUM TABLE` of every table of `database` (one `table=checksum` list per node).
 */
export async function checksumsPerNode(
  cluster: GaleraCluster,
  database: string,
  timeoutMs = 60_000,
): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const counters = await Promise.all(cluster.nodes.map((n) => wsrepCounters(cluster, n.number)));
    const positions = new Set(counters.map((c) => c.lastCommitted));
    if (positions.size === 1 && counters.every((c) => c.state === 'Synced')) break;
    if (Date.now() > until) throw new Error(`nodes did not converge: ${JSON.stringify(counters)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Promise.all(
    cluster.nodes.map(async (n) => {
      const tables = await queryNode<{ name: string }>(
        cluster,
        n.number,
        database,
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
        [database],
      );
      const sums = await queryNode<{ Table: string; Checksum: number }>(
        cluster,
        n.number,
        database,
        `CHECKSUM TABLE ${tables.map((t) => `\`${t.name}\``).join(', ')}`,
      );
      return sums.map((s) => `${s.Table.split('.')[1]}=${s.Checksum}`).join(' ');
    }),
  );
}

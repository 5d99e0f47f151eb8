import Database from 'better-sqlite3';
import express from 'express';
import { spawn } from 'node:child_process';
import { Server } from 'node:http';
import { createPool } from 'mysql2/promise';
import { parseConnectionUrl } from '../src/db/connection-url';

export interface Ceiling {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The most a Node HTTP handler can do for "show offer by uuid" on this machine: bare Express,
 * one indexed `SELECT … WHERE uuid = ?` (mysql2 pool, or better-sqlite3 for SQLite), the row
 * as JSON. Run as its own process (see `spawnCeiling`), like the service, so that autocannon
 * in the benchmark process does not share its event loop.
 */
export async function startCeiling(connection: string, port: number): Promise<Ceiling> {
  const app = express();
  let close: () => Promise<void>;
  if (connection.startsWith('sqlite')) {
    const file = connection.replace(/^sqlite:\/\/\//, '');
    const db = new Database(file, { readonly: true });
    const byUuid = db.prepare('SELECT * FROM offers WHERE uuid = ?');
    app.get('/v1/offers/:uuid', (req, res) => {
      const row = byUuid.get(req.params.uuid);
      if (row) res.json(row);
      else res.status(404).json({});
    });
    close = async () => void db.close();
  } else {
    const options = parseConnectionUrl(connection).options as {
      host?: string;
      port?: number;
      username?: string;
      password?: string;
      database?: string;
    };
    const pool = createPool({
      host: options.host,
      port: options.port,
      user: options.username,
      password: options.password,
      database: options.database,
      connectionLimit: 10,
      dateStrings: true,
    });
    app.get('/v1/offers/:uuid', async (req, res) => {
      const [rows] = await pool.execute('SELECT * FROM offers WHERE uuid = ?', [req.params.uuid]);
      const row = (rows as object[])[0];
      if (row) res.json(row);
      else res.status(404).json({});
    });
    close = () => pool.end();
  }
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await close();
    },
  };
}

/** Starts this file as a child process (through ts-node) and waits until it listens. */
export async function spawnCeiling(connection: string, port: number): Promise<Ceiling> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, connection, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`framework ceiling exited with ${code}`)));
    child.stdout!.once('data', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (require.main === module) {
  const [connection, port] = process.argv.slice(2);
  void startCeiling(connection, Number(port)).then((ceiling) => {
    process.stdout.write('listening\n');
    process.once('SIGTERM', () => void ceiling.close().then(() => process.exit(0)));
  });
}

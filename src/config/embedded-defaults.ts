/**
 * Defaults for running with no configuration file at all ("embedded" mode, e.g. `npm start` in a
 * fresh checkout): local-only, no Keystone, SQLite and dummy nodes under ./data. As soon as any
 * file is read, upstream's defaults apply unchanged.
 */
import * as path from 'node:path';
import type { EsiLeapConfig, SectionName } from './esi-leap-config';

export type DefaultOverrides = { readonly [S in SectionName]?: Partial<EsiLeapConfig[S]> };

export function embeddedDefaults(cwd: string): DefaultOverrides {
  const dataDir = path.resolve(cwd, 'data');
  return {
    api: { host_ip: '127.0.0.1', default_resource_type: 'dummy_node' },
    pecan: { auth_enable: false },
    // SQLAlchemy URL syntax: three slashes, then the absolute path (which brings the fourth).
    database: { connection: `sqlite:///${path.join(dataDir, 'esi-leap.sqlite')}`, auto_upgrade: true },
    dummy_node: { dummy_node_dir: path.join(dataDir, 'nodes') },
  };
}

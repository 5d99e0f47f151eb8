import { writeFileSync } from 'node:fs';

/** Options by section, as they would be written in esi-leap.conf. */
export type ConfSections = Record<string, Record<string, string | number>>;

export interface LocalService {
  /** `[database] connection` */
  readonly connection: string;
  /** `[dummy_node] dummy_node_dir`, when the process serves dummy nodes. */
  readonly nodeDir?: string;
}

/**
 * Writes the esi-leap.conf of a service process that the suites and the bench start on
 * loopback: noauth, their own database, and dummy nodes from their own directory, plus
 * `extra` options (sections merged, `[DEFAULT]` first).
 */
export function writeLocalConf(file: string, service: LocalService, extra: ConfSections = {}): void {
  const sections: ConfSections = {
    pecan: { auth_enable: 'false' },
    database: { connection: service.connection },
    ...(service.nodeDir === undefined ? {} : { dummy_node: { dummy_node_dir: service.nodeDir } }),
  };
  for (const [section, options] of Object.entries(extra)) sections[section] = { ...sections[section], ...options };
  const names = Object.keys(sections).sort((a, b) => Number(b === 'DEFAULT') - Number(a === 'DEFAULT'));
  const lines = names.flatMap((name) => [`[${name}]`, ...Object.entries(sections[name]).map(([key, value]) => `${key} = ${value}`)]);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

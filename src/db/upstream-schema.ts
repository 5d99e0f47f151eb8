import { QueryRunner } from 'typeorm';

/** The tables of upstream esi-leap's models (`esi_leap/db/sqlalchemy/models.py`). */
export const UPSTREAM_TABLES = ['offers', 'leases', 'events', 'console_auth_tokens'] as const;

/** Upstream's alembic revisions, oldest first; the last is its head. */
export const ALEMBIC_REVISIONS = ['a1ea63fec697', '11e06aea1af5'] as const;

export interface UpstreamSchema {
  /** `alembic_version.version_num`, or null when the table is absent or empty. */
  alembicRevision: string | null;
  presentTables: string[];
  missingTables: string[];
}

/**
 * Looks for a database that upstream esi-leap built (`create_schema` or alembic `upgrade`):
 * any of its tables, or its alembic stamp. Null when there is none, i.e. an empty database.
 */
export async function findUpstreamSchema(queryRunner: QueryRunner): Promise<UpstreamSchema | null> {
  const presentTables: string[] = [];
  const missingTables: string[] = [];
  for (const table of UPSTREAM_TABLES) {
    ((await queryRunner.hasTable(table)) ? presentTables : missingTables).push(table);
  }
  let alembicRevision: string | null = null;
  if (await queryRunner.hasTable('alembic_version')) {
    const rows = (await queryRunner.query('SELECT version_num FROM alembic_version')) as { version_num: string }[];
    alembicRevision = rows[0]?.version_num ?? null;
  }
  if (presentTables.length === 0 && alembicRevision === null) return null;
  return { alembicRevision, presentTables, missingTables };
}

/** Refuses a stamp this code does not know: a newer upstream may have changed the schema. */
export function assertKnownAlembicRevision(schema: UpstreamSchema): void {
  const revision = schema.alembicRevision;
  if (revision !== null && !(ALEMBIC_REVISIONS as readonly string[]).includes(revision)) {
    throw new Error(
      `alembic_version is ${revision}, which this esi-leap does not know (known: ${ALEMBIC_REVISIONS.join(', ')}); ` +
        'check the schema by hand, then record the baseline with `esi-leap-dbsync stamp --revision <baseline>`',
    );
  }
}

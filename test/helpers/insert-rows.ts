import { DataSource } from 'typeorm';

/** Rows per INSERT: well inside SQLite's limit on bound variables for our widest table. */
const ROW_CHUNK = 500;

/**
 * Multi-row INSERTs through the entity metadata (its column transformers), in chunks, in one
 * transaction: fixtures and benchmark fleets of thousands of rows, without the per-row cost
 * of the repositories.
 */
export async function insertRows<T extends object>(
  dataSource: DataSource,
  entity: new () => T,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  await dataSource.transaction(async (em) => {
    for (let i = 0; i < rows.length; i += ROW_CHUNK) {
      await em
        .createQueryBuilder()
        .insert()
        .into(entity)
        .values(rows.slice(i, i + ROW_CHUNK) as never)
        .updateEntity(false)
        .execute();
    }
  });
}

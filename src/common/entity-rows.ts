import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils';

type RowMapper<T> = (row: Record<string, unknown>) => T;

/**
 * Maps raw rows of a flat entity (no relations, no embedded columns) to entities, column by
 * column through the driver's own hydration (which applies the column transformers). `prefix`
 * is the select alias prefix of a query builder's raw rows (`o_`), empty for `SELECT o.*`.
 */
function rowMapper<T>(dataSource: DataSource, target: new () => T, aliasOf: (column: string) => string): RowMapper<T> {
  const driver = dataSource.driver;
  const columns = dataSource.getMetadata(target).columns.map((column) => ({ column, key: aliasOf(column.databaseName) }));
  return (row) => {
    const entity = new target() as Record<string, unknown>;
    for (const { column, key } of columns) {
      const value = row[key];
      if (value !== undefined) entity[column.propertyName] = driver.prepareHydratedValue(value, column);
    }
    return entity as T;
  };
}

/**
 * `getMany()` for flat entities, for the list queries. TypeORM's general transformer groups
 * rows, looks for relations on every row and rebuilds each column alias per row; on a
 * 1,000-offer page that cost more than reading the rows (docs/performance.md).
 */
export async function getFlatEntities<T extends ObjectLiteral>(q: SelectQueryBuilder<T>): Promise<T[]> {
  const main = q.expressionMap.mainAlias!;
  const driver = q.connection.driver;
  const map = rowMapper(q.connection, main.metadata.target as new () => T, (column) =>
    DriverUtils.buildAlias(driver, undefined, main.name, column),
  );
  return (await q.getRawMany<Record<string, unknown>>()).map(map);
}

const plainMappers = new WeakMap<DataSource, Map<unknown, RowMapper<unknown>>>();

/** An entity from a row of a hand-written `SELECT x.*` (columns under their own names). */
export function entityFromRow<T>(dataSource: DataSource, target: new () => T, row: Record<string, unknown>): T {
  let mappers = plainMappers.get(dataSource);
  if (!mappers) plainMappers.set(dataSource, (mappers = new Map()));
  let map = mappers.get(target) as RowMapper<T> | undefined;
  if (!map) mappers.set(target, (map = rowMapper(dataSource, target, (column) => column)));
  return map(row);
}

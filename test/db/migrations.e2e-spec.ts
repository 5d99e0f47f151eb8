import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ConsoleAuthTokenEntity } from '../../src/console/tokens/console-auth-token.entity';
import { ENTITIES } from '../../src/app/entities';
import { createDataSource } from '../../src/db/create-data-source';
import { runDbsync } from '../../src/db/dbsync';
import { SchemaMigrator } from '../../src/db/schema-migrator';
import { EventEntity } from '../../src/leasing/data/event.entity';
import { LeaseEntity } from '../../src/leasing/data/lease.entity';
import { OfferEntity } from '../../src/leasing/data/offer.entity';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { describeTables, indexesLeadingWith } from './fixtures/schema-description';
import { alembicStamp, UPSTREAM_CREATE_ALL, upstreamAlembicOnly } from './fixtures/upstream-schema';

// MariaDB DDL takes seconds; jest ignores testTimeout set per project.
jest.setTimeout(60_000);

const BASELINE = new MIGRATIONS[0]().name;
const HEAD = new MIGRATIONS[MIGRATIONS.length - 1]().name;
const UPSTREAM_TABLES = ['offers', 'leases', 'events', 'console_auth_tokens'];

const OFFER_UUID = '5a1d4c6e-1111-4f00-9000-000000000001';
const LEASE_UUID = '5a1d4c6e-2222-4f00-9000-000000000002';

async function execute(dataSource: DataSource, statements: string[]): Promise<void> {
  for (const sql of statements) await dataSource.query(sql);
}

/** Rows as upstream's SQLAlchemy writes them: naive UTC with microseconds, JSON text. */
const UPSTREAM_ROWS = [
  `INSERT INTO offers (created_at, updated_at, uuid, name, project_id, lessee_id, resource_type, resource_uuid,
     start_time, end_time, status, properties, parent_lease_uuid)
   VALUES ('2024-05-01 10:00:00.123456', NULL, '${OFFER_UUID}', 'offer-1', 'owner-project', NULL, 'ironic_node',
     'node-1', '2024-05-01 00:00:00.000000', '9999-12-31 23:59:59.999999', 'available', '{"floor": 3}', NULL)`,
  `INSERT INTO leases (created_at, updated_at, uuid, name, project_id, owner_id, purpose, resource_type, resource_uuid,
     start_time, end_time, fulfill_time, expire_time, status, properties, offer_uuid, parent_lease_uuid)
   VALUES ('2024-06-01 12:00:00.000001', '2024-06-01 12:30:45.999999', '${LEASE_UUID}', 'lease-1', 'lessee-project',
     'owner-project', 'testing', 'ironic_node', 'node-1', '2024-06-01 12:30:45.654321', '2024-06-08 12:30:45.654321',
     '2024-06-01 12:30:46.000007', NULL, 'active', '{"capabilities": {"gpu": true}, "tags": [1, 2]}', '${OFFER_UUID}', NULL)`,
  `INSERT INTO events (created_at, updated_at, event_type, event_time, object_type, object_uuid, resource_type,
     resource_uuid, lessee_id, owner_id)
   VALUES ('2024-06-01 12:30:46.100000', NULL, 'esi_leap.lease.fulfill.end', '2024-06-01 12:30:46.000001', 'lease',
     '${LEASE_UUID}', 'ironic_node', 'node-1', 'lessee-project', 'owner-project')`,
  `INSERT INTO console_auth_tokens (created_at, updated_at, node_uuid, token_hash, expires)
   VALUES ('2024-06-01 13:00:00.500000', NULL, 'node-1', '${'ab'.repeat(32)}', 1717247400)`,
];

describe.each(testDatabaseKinds())('migrations and esi-leap-dbsync on %s', (kind) => {
  let db: TestDatabase;
  let lines: string[];

  beforeEach(async () => {
    db = await createTestDatabase(kind, { migrated: false });
    lines = [];
  });
  afterEach(() => db.drop());

  const dbsync = (...argv: string[]) => runDbsync(argv, db.connection, (line) => lines.push(line));

  async function expectHeadSchema(): Promise<void> {
    const ds = db.dataSource;
    expect(await indexesLeadingWith(ds, 'leases', ['resource_type', 'resource_uuid'])).not.toHaveLength(0);
    expect(await indexesLeadingWith(ds, 'leases', ['offer_uuid'])).not.toHaveLength(0);
    expect(await indexesLeadingWith(ds, 'leases', ['parent_lease_uuid'])).not.toHaveLength(0);
    expect(await indexesLeadingWith(ds, 'offers', ['parent_lease_uuid'])).not.toHaveLength(0);
    expect(await indexesLeadingWith(ds, 'events', ['event_time'])).not.toHaveLength(0);
    expect(await indexesLeadingWith(ds, 'console_auth_tokens', ['token_hash'])).toEqual([
      { name: 'console_auth_tokens_token_hash_idx', unique: true },
    ]);
    expect(await ds.createQueryRunner().hasTable('resource_locks')).toBe(true);
  }

  it('the baseline migration builds exactly the schema upstream create_schema builds', async () => {
    expect(await dbsync('upgrade', '--revision', BASELINE)).toBe(0);
    expect(await describeTables(db.dataSource, UPSTREAM_TABLES)).toEqual(
      await withUpstreamSchema((up) => describeTables(up, UPSTREAM_TABLES)),
    );
  });

  it('stamp then upgrade adopts an upstream database; its data reads back exactly through the entities', async () => {
    await execute(db.dataSource, [...UPSTREAM_CREATE_ALL[kind], ...alembicStamp('11e06aea1af5'), ...UPSTREAM_ROWS]);

    expect(await dbsync('version')).toBe(0);
    expect(await dbsync('stamp', '--revision', BASELINE)).toBe(0);
    expect(await dbsync('version')).toBe(0);
    expect(await dbsync('upgrade')).toBe(0);
    expect(await dbsync('version')).toBe(0);
    expect(lines).toEqual([
      'None',
      `Stamped ${BASELINE}`,
      BASELINE,
      ...MIGRATIONS.slice(1).flatMap((m, i) => [
        `Running upgrade ${new MIGRATIONS[i]().name} -> ${new m().name}`,
        expect.stringMatching(new RegExp(`^Applied ${new m().name} in \\d+ ms$`)),
      ]),
      HEAD,
    ]);
    await expectHeadSchema();

    // A fresh DataSource, as a service would open after the upgrade.
    const service = await createDataSource(db.connection, { entities: ENTITIES }).initialize();
    try {
      const offer = await service.getRepository(OfferEntity).findOneByOrFail({ uuid: OFFER_UUID });
      expect(offer).toMatchObject({
        name: 'offer-1',
        projectId: 'owner-project',
        lesseeId: null,
        startTime: '2024-05-01 00:00:00.000000',
        endTime: '9999-12-31 23:59:59.999999',
        status: 'available',
        properties: { floor: 3 },
        createdAt: '2024-05-01 10:00:00.123456',
        updatedAt: null,
      });
      const lease = await service.getRepository(LeaseEntity).findOneByOrFail({ uuid: LEASE_UUID });
      expect(lease).toMatchObject({
        startTime: '2024-06-01 12:30:45.654321',
        endTime: '2024-06-08 12:30:45.654321',
        fulfillTime: '2024-06-01 12:30:46.000007',
        expireTime: null,
        properties: { capabilities: { gpu: true }, tags: [1, 2] },
        offerUuid: OFFER_UUID,
        createdAt: '2024-06-01 12:00:00.000001',
        updatedAt: '2024-06-01 12:30:45.999999',
      });
      const [event] = await service.getRepository(EventEntity).find();
      expect(event).toMatchObject({
        eventType: 'esi_leap.lease.fulfill.end',
        eventTime: '2024-06-01 12:30:46.000001',
        objectUuid: LEASE_UUID,
      });
      const [token] = await service.getRepository(ConsoleAuthTokenEntity).find();
      expect(token).toMatchObject({ nodeUuid: 'node-1', tokenHash: 'ab'.repeat(32), expires: 1717247400 });
    } finally {
      await service.destroy();
    }
    // Upstream's own bookkeeping is left as it was, so the Python service could still run on it.
    expect(await db.dataSource.query('SELECT version_num FROM alembic_version')).toEqual([
      { version_num: '11e06aea1af5' },
    ]);
  });

  it('upgrade alone detects an upstream database and adopts it without re-creating its tables', async () => {
    await execute(db.dataSource, [...UPSTREAM_CREATE_ALL[kind], ...alembicStamp('11e06aea1af5'), ...UPSTREAM_ROWS]);
    expect(await dbsync('upgrade')).toBe(0);
    expect(lines[0]).toMatch(
      /^Found an existing esi-leap database \(alembic revision 11e06aea1af5\): adopting it in place/,
    );
    expect(lines[1]).toBe(`Running upgrade base -> ${BASELINE}`);
    await expectHeadSchema();
    expect(await db.dataSource.query('SELECT COUNT(*) AS n FROM leases')).toEqual([
      { n: kind === 'mariadb' ? '1' : 1 },
    ]);
  });

  it('upgrade adopts a database from before console tokens (a1ea63fec697) and creates the missing table', async () => {
    const beforeTokens = UPSTREAM_CREATE_ALL[kind].filter((sql) => !sql.includes('console_auth_tokens'));
    await execute(db.dataSource, [...beforeTokens, ...alembicStamp('a1ea63fec697')]);
    expect(await dbsync('upgrade')).toBe(0);
    expect(lines[0]).toContain('creates the missing table(s) console_auth_tokens');
    await expectHeadSchema();
  });

  it('upgrade completes a database built by upstream alembic migrations only, widening its columns', async () => {
    await execute(db.dataSource, [...upstreamAlembicOnly(kind), ...alembicStamp('11e06aea1af5')]);
    expect(await dbsync('upgrade')).toBe(0);
    await expectHeadSchema();
    if (kind === 'mariadb') {
      const widths = (await db.dataSource.query(
        `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, CHARACTER_MAXIMUM_LENGTH AS n FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('lessee_id', 'owner_id', 'node_uuid', 'event_type')
         AND TABLE_NAME IN ('events', 'console_auth_tokens') ORDER BY t, c`,
      )) as { t: string; c: string; n: string }[];
      expect(widths.map((w) => `${w.t}.${w.c}=${w.n}`)).toEqual([
        'console_auth_tokens.node_uuid=255',
        'events.event_type=255',
        'events.lessee_id=255',
        'events.owner_id=255',
      ]);
    }
  });

  it('refuses to adopt a database stamped with an alembic revision it does not know', async () => {
    await execute(db.dataSource, [...UPSTREAM_CREATE_ALL[kind], ...alembicStamp('ffffffffffff')]);
    expect(await dbsync('upgrade')).toBe(1);
    expect(lines[0]).toMatch(/^error: alembic_version is ffffffffffff/);
    expect(await dbsync('version')).toBe(0);
    expect(lines[1]).toBe('None');
  });

  it('create_schema builds an empty database to head and is idempotent', async () => {
    expect(await dbsync('create_schema')).toBe(0);
    expect(lines).toEqual(
      MIGRATIONS.flatMap((m, i) => [
        `Running upgrade ${i === 0 ? 'base' : new MIGRATIONS[i - 1]().name} -> ${new m().name}`,
        expect.stringMatching(new RegExp(`^Applied ${new m().name} in \\d+ ms$`)),
      ]),
    );
    lines = [];
    expect(await dbsync('create_schema')).toBe(0);
    expect(lines).toEqual([`Nothing to upgrade: the database is at ${HEAD}`]);
    await expectHeadSchema();
  });

  it('services starting together (two processes, auto_upgrade) apply each migration exactly once', async () => {
    const other = await createDataSource(db.connection).initialize();
    try {
      const applied = await Promise.all([
        new SchemaMigrator(db.dataSource).upgrade(),
        new SchemaMigrator(other).upgrade(),
      ]);
      expect([...applied[0], ...applied[1]].sort()).toEqual(MIGRATIONS.map((m) => new m().name).sort());
    } finally {
      await other.destroy();
    }
    const rows = (await db.dataSource.query('SELECT name FROM typeorm_migrations')) as { name: string }[];
    expect(rows).toHaveLength(MIGRATIONS.length);
  });

  it('downgrade to base removes everything; upgrade builds it again', async () => {
    expect(await dbsync('upgrade')).toBe(0);
    expect(await dbsync('downgrade')).toBe(0);
    const queryRunner = db.dataSource.createQueryRunner();
    for (const table of [...UPSTREAM_TABLES, 'resource_locks']) expect(await queryRunner.hasTable(table)).toBe(false);
    await queryRunner.release();
    lines = [];
    expect(await dbsync('version')).toBe(0);
    expect(lines).toEqual(['None']);
    expect(await dbsync('upgrade')).toBe(0);
    await expectHeadSchema();
  });

  it('downgrade and upgrade by revision, stamp base', async () => {
    expect(await dbsync('upgrade', '--revision', BASELINE)).toBe(0);
    expect(await dbsync('upgrade')).toBe(0);
    expect(await dbsync('downgrade', `--revision=${BASELINE}`)).toBe(0);
    expect(await db.dataSource.createQueryRunner().hasTable('resource_locks')).toBe(false);
    expect(await describeTables(db.dataSource, ['offers'])).toBeDefined();
    expect(await dbsync('upgrade', '--revision', 'head')).toBe(0);
    expect(await dbsync('stamp', '--revision', 'base')).toBe(0);
    lines = [];
    expect(await dbsync('version')).toBe(0);
    expect(await dbsync('upgrade', '--revision', 'nonsense')).toBe(1);
    expect(lines).toEqual(['None', expect.stringMatching(/^error: unknown revision 'nonsense'/)]);
  });

  it('a data-bearing database survives the downgrade of the later migrations', async () => {
    await execute(db.dataSource, [...UPSTREAM_CREATE_ALL[kind], ...alembicStamp('11e06aea1af5'), ...UPSTREAM_ROWS]);
    expect(await dbsync('upgrade')).toBe(0);
    expect(await dbsync('downgrade', '--revision', '11e06aea1af5')).toBe(0);
    expect(await describeTables(db.dataSource, UPSTREAM_TABLES)).toEqual(
      await withUpstreamSchema((up) => describeTables(up, UPSTREAM_TABLES)),
    );
    const [lease] = (await db.dataSource.query(`SELECT start_time FROM leases`)) as { start_time: string }[];
    expect(lease.start_time).toBe('2024-06-01 12:30:45.654321');
  });

  /** A throwaway database holding exactly upstream's schema. */
  async function withUpstreamSchema<T>(use: (dataSource: DataSource) => Promise<T>): Promise<T> {
    const upstream = await createTestDatabase(kind, { migrated: false });
    try {
      await execute(upstream.dataSource, UPSTREAM_CREATE_ALL[kind]);
      return await use(upstream.dataSource);
    } finally {
      await upstream.drop();
    }
  }
});

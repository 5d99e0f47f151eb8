import { loadConfig } from '../config/config-loader';
import { requireConnection } from './connection-url';
import { createDataSource } from './create-data-source';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run|show|revert`), built from the same
 * configuration the services read: the default esi-leap.conf search, or ESI_LEAP_CONFIG_FILE.
 * Prefer `esi-leap-dbsync`, which also adopts upstream databases and locks against concurrent runs.
 */
const configFile = process.env.ESI_LEAP_CONFIG_FILE;
const { database } = loadConfig({ configFiles: configFile ? [configFile] : undefined }).config;

export default createDataSource(requireConnection(database.connection), { maxPoolSize: database.max_pool_size });

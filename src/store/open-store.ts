import path from 'node:path';
import { ConfigError, type Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { isPostgresUrl, PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { FacadeStore } from './types.js';

export const SQLITE_FILE_NAME = 'facade.sqlite';

/**
 * Opens the configured store, schema up to date: PostgreSQL when
 * `store.databaseUrl` (DATABASE_URL) is set, else the SQLite file
 * `${dataDir}/facade.sqlite`. Rejects with StoreError when the database
 * cannot be reached or prepared, ConfigError when the URL is not PostgreSQL's.
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'get'>, logger?: Logger): Promise<FacadeStore> {
  const url = config.get('store.databaseUrl');
  if (typeof url === 'string' && url !== '') {
    // The URL may carry a password: never echo it.
    if (!isPostgresUrl(url)) throw new ConfigError('store.databaseUrl (DATABASE_URL)', 'must be a postgres:// or postgresql:// URL');
    const poolSize = config.get('store.poolSize');
    const store = await PostgresStore.open(url, { poolSize: typeof poolSize === 'number' ? poolSize : undefined, logger });
    logger?.info({ store: 'postgres' }, 'store opened');
    return store;
  }
  const file = path.join(config.dataDir, SQLITE_FILE_NAME);
  const store = await SqliteStore.open(file);
  logger?.info({ store: 'sqlite', file }, 'store opened');
  return store;
}

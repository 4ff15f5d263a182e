import type { SettingDef } from '../setting-def.js';

/** Settings of the store layer (see src/config/settings.ts). */
export const STORE_SETTINGS: readonly SettingDef[] = [
  {
    key: 'store.databaseUrl',
    env: 'DATABASE_URL',
    type: 'string',
    optional: true,
    description: 'PostgreSQL connection URL (postgres://user:password@host:5432/db) for discovered patients, consents and audit events, shared by several instances. Unset: an embedded SQLite file, DATA_DIR/facade.sqlite.',
  },
  {
    key: 'store.poolSize',
    env: 'DATABASE_POOL_SIZE',
    type: 'int',
    default: 10,
    min: 1,
    max: 200,
    description: 'Largest number of PostgreSQL connections of one instance (with DATABASE_URL).',
  },
];

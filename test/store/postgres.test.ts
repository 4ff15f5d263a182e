// The store contract against PostgreSQL when TEST_DATABASE_URL names a
// database (scripts/ci-postgres.sh starts a throwaway one). Each run works in
// a schema of its own, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { StoreError } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { numberPlaceholders, PostgresStore } from '../../src/store/postgres-store.js';
import { storeContract, type TestDatabase } from './store-contract.js';

const baseUrl = process.env.TEST_DATABASE_URL;

/** The URL with a search_path option, so every connection of the pool works in `schema`. */
function urlInSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function postgresDatabase(url: string): Promise<TestDatabase & { url: string }> {
  const schema = `facade_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    url: urlInSchema(url, schema),
    open: () => PostgresStore.open(urlInSchema(url, schema), { poolSize: 4 }),
    async exec(sql) {
      await admin.query(`SET search_path TO ${schema}`);
      await admin.query(sql);
    },
    async dispose() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

if (baseUrl) {
  storeContract('PostgreSQL', () => postgresDatabase(baseUrl));

  test('openStore chooses PostgreSQL when store.databaseUrl is set', async () => {
    const db = await postgresDatabase(baseUrl);
    const store = await openStore(loadConfig({}, { 'store.databaseUrl': db.url }));
    try {
      expect(store.kind).toBe('postgres');
      expect(await store.ping()).toBe(true);
    } finally {
      await store.close();
      await db.dispose();
    }
  });

  test('instances starting together migrate the schema once', async () => {
    const db = await postgresDatabase(baseUrl);
    const stores = await Promise.all(Array.from({ length: 4 }, () => db.open()));
    try {
      expect(stores.every((s) => s.kind === 'postgres')).toBe(true);
    } finally {
      for (const s of stores) await s.close();
      await db.dispose();
    }
  });
}

describe('PostgreSQL store without a server', () => {
  test('an unreachable server is a StoreError within the connection timeout, without the URL (it may hold a password)', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const opening = PostgresStore.open('postgres://user:s3cret@127.0.0.1:9/db');
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });

  test('a URL that is not PostgreSQL is a configuration error', async () => {
    await expect(openStore(loadConfig({ DATABASE_URL: 'mysql://u:p@h/db' }))).rejects.toThrow(ConfigError);
    await expect(openStore(loadConfig({ DATABASE_URL: 'mysql://u:p@h/db' }))).rejects.not.toThrow(/mysql:\/\//);
  });

  test('placeholders are numbered in order', () => {
    expect(numberPlaceholders('SELECT a FROM t WHERE b = ? AND c < ? LIMIT ?')).toBe('SELECT a FROM t WHERE b = $1 AND c < $2 LIMIT $3');
  });
});

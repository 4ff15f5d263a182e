import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { migrate, SqlStore } from './sql-store.js';
import type { Row, SqlDriver, SqlExecutor } from './sql.js';

/** better-sqlite3 binds numbers, strings, bigints, buffers and null; Dates become ISO text. */
function bind(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p instanceof Date ? p.toISOString() : p === undefined ? null : p));
}

class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;

  constructor(private readonly db: Database.Database) {}

  // better-sqlite3 is synchronous: each call completes (and is committed) before it returns.
  async all<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...bind(params)) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.db.prepare(sql).run(...bind(params)).changes;
  }

  async exclusive(fn: (tx: SqlExecutor) => Promise<void>): Promise<void> {
    // IMMEDIATE takes the write lock at once, so two processes opening the same file migrate one after the other.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      await fn(this);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * The embedded store: one SQLite file (WAL journal, fsync on every commit so an
 * audit record is on disk when appendAudit resolves), or `:memory:` for tests.
 */
export class SqliteStore extends SqlStore {
  readonly kind = 'sqlite' as const;

  private constructor(driver: SqliteDriver, readonly file: string) {
    super(driver);
  }

  static async open(file: string): Promise<SqliteStore> {
    let db: Database.Database;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file);
    } catch (e) {
      throw new StoreError('open', `cannot open the SQLite database ${file}`, { cause: e });
    }
    const driver = new SqliteDriver(db);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // Another process holding the write lock briefly must not fail our write at once.
      db.pragma('busy_timeout = 5000');
      await migrate(driver);
    } catch (e) {
      db.close();
      if (e instanceof StoreError) throw e;
      throw new StoreError('open', `cannot prepare the SQLite database ${file}`, { cause: e });
    }
    return new SqliteStore(driver, file);
  }
}

import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { StoreError } from './errors.js';
import { migrate, SqlStore } from './sql-store.js';
import type { Row, SqlDriver, SqlExecutor } from './sql.js';

/** `?` placeholders → `$1, $2…` (our statements have no `?` in literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// Any constant: serialises schema migrations of instances starting together.
const MIGRATION_LOCK = 720_451_903;

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async all<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await client.query(numberPlaceholders(sql), [...params])).rows as T[];
    },
    async run(sql: string, params: readonly unknown[] = []): Promise<number> {
      return (await client.query(numberPlaceholders(sql), [...params])).rowCount ?? 0;
    },
  };
}

class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly exec: SqlExecutor;

  constructor(private readonly pool: pg.Pool) {
    this.exec = executor(pool);
  }

  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.exec.all<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.exec.run(sql, params);
  }

  async exclusive(fn: (tx: SqlExecutor) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await fn(executor(client));
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export interface PostgresOptions {
  /** Largest number of connections of this instance. */
  poolSize?: number;
  logger?: Logger;
}

/** Whether a connection URL names PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * The shared store for several instances behind a load balancer. Every
 * statement commits on its own (synchronous_commit stays the server's: on by
 * default), so appendAudit resolves after the record is durable.
 */
export class PostgresStore extends SqlStore {
  readonly kind = 'postgres' as const;

  private constructor(driver: PostgresDriver) {
    super(driver);
  }

  /** The URL is never put in an error or a log line: it may hold a password. */
  static async open(connectionString: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    if (!isPostgresUrl(connectionString)) throw new StoreError('open', 'the database URL must start with postgres:// or postgresql://');
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      // Never hang a FHIR request on an unreachable database.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 10_000,
      query_timeout: 15_000,
      application_name: 'ehdsi-fhir-facade',
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (e: Error & { code?: string }) => {
      options.logger?.warn({ code: e.code }, 'PostgreSQL connection lost');
    });
    const driver = new PostgresDriver(pool);
    try {
      await migrate(driver);
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof StoreError) throw e;
      throw new StoreError('open', 'cannot connect to or prepare the PostgreSQL database', { cause: e });
    }
    return new PostgresStore(driver);
  }
}

import type { Dialect } from './migrations.js';

export type Row = Record<string, unknown>;

/**
 * What the store needs of a database: parameterised statements with `?`
 * placeholders (the PostgreSQL driver numbers them), Dates as parameters.
 */
export interface SqlExecutor {
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction that no other instance runs at the same time (schema changes). */
  exclusive(fn: (tx: SqlExecutor) => Promise<void>): Promise<void>;
  /** Rejects when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Timestamps come back as Date (PostgreSQL) or ISO text (SQLite). */
export function toDate(value: unknown): Date {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new Error('stored timestamp is not a date');
  return d;
}

export function optionalString(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

import { createHash, randomBytes } from 'node:crypto';
import { SessionStore } from '../../auth/session-store.js';
import type { FacadeStore } from '../../store/types.js';

/**
 * Where the portal keeps its server-side sessions and login transactions:
 * the database (shared by every instance behind a load balancer, so a login
 * started on one completes on another), or memory (one process, tests). The
 * cookie carries a random id (256 bits); the database holds only its SHA-256,
 * so its rows cannot be replayed as cookies.
 */
export interface SessionBackend<T> {
  /** A new id for `value`, valid `ttlMs`. */
  create(value: T): Promise<string>;
  get(id: string | undefined): Promise<T | undefined>;
  /** Writes the value again (its expiry unchanged). */
  update(id: string, value: T): Promise<void>;
  /** Reads and removes at once. */
  take(id: string | undefined): Promise<T | undefined>;
  delete(id: string | undefined): Promise<void>;
}

export type WebSessionStore = Pick<FacadeStore, 'putWebSession' | 'getWebSession' | 'takeWebSession' | 'deleteWebSession' | 'sweepWebSessions'>;

export function memoryBackend<T>(ttlMs: number): SessionBackend<T> {
  const store = new SessionStore<T>(ttlMs);
  return {
    create: async (value) => store.create(value),
    get: async (id) => store.get(id),
    update: async (id, value) => store.replace(id, value),
    take: async (id) => store.take(id),
    delete: async (id) => store.delete(id),
  };
}

const keyOf = (id: string): string => createHash('sha256').update(id).digest('base64url');
/** Ids are what the cookie carries: base64url of 32 random bytes; anything else is not looked up. */
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;
/** Expired rows are removed now and then, by whichever instance writes. */
const SWEEP_EVERY_MS = 10 * 60_000;

interface Stored<T> {
  value: T;
  expiresAt: number;
}

export function databaseBackend<T>(db: WebSessionStore, kind: string, ttlMs: number): SessionBackend<T> {
  let lastSweep = 0;
  const sweep = (): void => {
    if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = Date.now();
    void db.sweepWebSessions().catch(() => undefined);
  };
  const read = (data: string | undefined): T | undefined => (data === undefined ? undefined : (JSON.parse(data) as Stored<T>).value);
  return {
    create: async (value) => {
      sweep();
      const id = randomBytes(32).toString('base64url');
      const expiresAt = Date.now() + ttlMs;
      await db.putWebSession(kind, keyOf(id), JSON.stringify({ value, expiresAt } satisfies Stored<T>), new Date(expiresAt));
      return id;
    },
    get: async (id) => (id && WELL_FORMED.test(id) ? read(await db.getWebSession(kind, keyOf(id))) : undefined),
    update: async (id, value) => {
      const current = await db.getWebSession(kind, keyOf(id));
      if (current === undefined) return;
      const { expiresAt } = JSON.parse(current) as Stored<T>;
      await db.putWebSession(kind, keyOf(id), JSON.stringify({ value, expiresAt } satisfies Stored<T>), new Date(expiresAt));
    },
    take: async (id) => (id && WELL_FORMED.test(id) ? read(await db.takeWebSession(kind, keyOf(id))) : undefined),
    delete: async (id) => {
      if (id && WELL_FORMED.test(id)) await db.deleteWebSession(kind, keyOf(id));
    },
  };
}

import { randomBytes } from 'node:crypto';

/**
 * Server-side sessions of the portal, in memory: the cookie carries only a
 * random id (256 bits). Entries expire on their own; a sweep runs on writes.
 */
export class SessionStore<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 50_000, private readonly now: () => number = Date.now) {}

  create(value: T, ttlMs: number = this.ttlMs): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    this.entries.set(id, { value, expiresAt: this.now() + ttlMs });
    return id;
  }

  get(id: string | undefined): T | undefined {
    if (!id) return undefined;
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return e.value;
  }

  /** Writes a new value under an existing, unexpired id (its expiry unchanged). */
  replace(id: string, value: T): void {
    const e = this.entries.get(id);
    if (e && e.expiresAt > this.now()) e.value = value;
  }

  /** Reads and removes (one-time values such as a login transaction). */
  take(id: string | undefined): T | undefined {
    const v = this.get(id);
    if (id) this.entries.delete(id);
    return v;
  }

  delete(id: string | undefined): void {
    if (id) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    if (this.entries.size < this.maxEntries) return;
    const now = this.now();
    for (const [k, v] of this.entries) if (v.expiresAt <= now) this.entries.delete(k);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

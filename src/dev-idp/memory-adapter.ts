/**
 * The stand-in's storage of sessions, interactions, codes and grants: in
 * memory with expiry, on purpose (a development provider; a restart logs
 * everyone out). Access tokens are JWTs and need no storage.
 */
interface Entry {
  payload: Record<string, unknown>;
  expiresAt?: number;
}

interface Storage {
  stores: Map<string, Map<string, Entry>>;
  grantIndex: Map<string, Set<string>>;
}

/** One storage per provider instance: oidc-provider calls the factory once per model. */
export function memoryAdapterFactory(): (model: string) => MemoryAdapter {
  const storage: Storage = { stores: new Map(), grantIndex: new Map() };
  return (model) => new MemoryAdapter(model, storage);
}

export class MemoryAdapter {
  private readonly store: Map<string, Entry>;

  constructor(private readonly model: string, private readonly storage: Storage) {
    const { stores } = storage;
    let s = stores.get(model);
    if (!s) {
      s = new Map();
      stores.set(model, s);
    }
    this.store = s;
  }

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (typeof payload.grantId === 'string') {
      const { grantIndex } = this.storage;
      const set = grantIndex.get(payload.grantId) ?? new Set<string>();
      set.add(this.key(id));
      grantIndex.set(payload.grantId, set);
    }
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    const e = this.store.get(id);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return e.payload;
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    for (const [id, e] of this.store) if (e.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    for (const [id, e] of this.store) if (e.payload.userCode === userCode) return this.find(id);
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const e = this.store.get(id);
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const { stores, grantIndex } = this.storage;
    for (const key of grantIndex.get(grantId) ?? []) {
      const i = key.indexOf(':');
      stores.get(key.slice(0, i))?.delete(key.slice(i + 1));
    }
    grantIndex.delete(grantId);
  }
}

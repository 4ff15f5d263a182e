import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/config.js';
import { openStore } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { StoreError } from '../../src/store/errors.js';
import { projectPath } from '../../src/util/project.js';
import { storeContract, type TestDatabase } from './store-contract.js';
import { auditRecord, nationalId, patient } from './fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'facade-store-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function sqliteDatabase(): Promise<TestDatabase> {
  const file = path.join(tempDir(), 'facade.sqlite');
  return {
    open: () => SqliteStore.open(file),
    async exec(sql) {
      const db = new Database(file);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    async dispose() {},
  };
}

storeContract('SQLite', sqliteDatabase);

describe('SQLite specifics', () => {
  test('openStore without a database URL creates DATA_DIR/facade.sqlite in WAL mode with its schema', async () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const store = await openStore(loadConfig({}, { dataDir }));
    try {
      expect(store.kind).toBe('sqlite');
      const file = path.join(dataDir, 'facade.sqlite');
      expect(existsSync(file)).toBe(true);
      const raw = new Database(file, { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
        const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => (r as { name: string }).name);
        expect(tables).toEqual(expect.arrayContaining(['audit_record', 'consent', 'discovered_patient', 'schema_version']));
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
    }
  });

  test(':memory: gives a private, working store', async () => {
    const a = await SqliteStore.open(':memory:');
    const b = await SqliteStore.open(':memory:');
    try {
      const owner = nationalId();
      const handle = await a.savePatient(patient(owner));
      expect((await a.getPatient(owner, handle))?.handle).toBe(handle);
      expect(await b.getPatient(owner, handle)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('audit records are on disk when appendAudit resolves, even if the process is killed right after', () => {
    const file = path.join(tempDir(), 'facade.sqlite');
    const owner = nationalId();
    const script = path.join(projectPath('test'), 'store', 'append-then-die.ts');
    let signal: string | null = null;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', script, file, owner, '25'], { cwd: projectPath(), stdio: 'pipe' });
    } catch (e) {
      signal = (e as { signal: string | null }).signal;
    }
    expect(signal).toBe('SIGKILL');
    const raw = new Database(file, { readonly: true });
    try {
      const row = raw.prepare('SELECT COUNT(*) AS n FROM audit_record WHERE owner = ?').get(owner) as { n: number };
      expect(row.n).toBe(25);
    } finally {
      raw.close();
    }
  });

  test('a data directory that cannot be created is a StoreError naming the file', async () => {
    const blocker = path.join(tempDir(), 'not-a-dir');
    new Database(blocker).close(); // a file where the directory should be
    const opening = SqliteStore.open(path.join(blocker, 'sub', 'facade.sqlite'));
    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(/not-a-dir\/sub\/facade\.sqlite/);
  });

  test('two stores on one file append concurrently without losing records', async () => {
    const file = path.join(tempDir(), 'facade.sqlite');
    const a = await SqliteStore.open(file);
    const b = await SqliteStore.open(file);
    try {
      const owner = nationalId();
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).appendAudit(auditRecord(owner))));
      expect(await a.listAudit(owner)).toHaveLength(50);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

// Child process of sqlite.test.ts: appends N audit records to a SQLite store,
// then is killed without closing anything, to show each append was durable.
//   node --import tsx test/store/append-then-die.ts <file> <owner> <count>
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { auditRecord } from './fixtures.js';

const [file, owner, count] = process.argv.slice(2);
const store = await SqliteStore.open(file);
for (let i = 0; i < Number(count); i++) await store.appendAudit(auditRecord(owner));
process.kill(process.pid, 'SIGKILL');

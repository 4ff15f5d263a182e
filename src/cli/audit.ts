/**
 * The operator's view of the audit trail, read from the store the server
 * uses (the SQLite file of DATA_DIR, or PostgreSQL with DATABASE_URL):
 *
 *   npm run audit -- --since 2026-03-01 [--until 2026-03-02T12:00:00Z] [--type authentication|all] [--format table|json] [--limit 1000]
 *
 * Every owner's records, the operator's own included (failed authentications,
 * refused tokens), oldest first. It prints what the records hold: codes,
 * national ids of professionals, client ids, source addresses and the
 * facade's opaque patient handles — never a patient's name or identifier.
 */
import { ConfigError, loadConfigOrExit } from '../config/config.js';
import { AUDIT_SUBTYPES, isSecuritySubtype, OPERATOR_OWNER, dateRange, type AuditOutcome, type AuditRecord } from '../audit/index.js';
import { openStore } from '../store/index.js';

const USAGE = 'usage: npm run audit -- --since <date, e.g. 2026-03-01 or 2026-03-01T08:00:00Z> [--until <date>] [--type authentication|all] [--format table|json] [--limit <n>]\n';

const OUTCOME_CODE: Record<AuditOutcome, string> = { success: '0', refused: '4', 'client-error': '4', 'gateway-error': '8', 'server-error': '12' };

/** One line of the listing: what an operator needs, nothing more. */
export interface AuditLine {
  recorded: string;
  type: 'authentication' | 'rest';
  interaction: string;
  outcome: string;
  result: AuditOutcome;
  detail?: string;
  /** The professional's national id; "operator" for the records of unidentified callers. */
  owner: string;
  agent: string;
  clientId?: string;
  sourceAddress?: string;
  patient?: string;
  country?: string;
  transaction?: string;
  requestId: string;
}

export function auditLine(r: AuditRecord): AuditLine {
  const line: AuditLine = {
    recorded: r.recorded.toISOString(),
    type: isSecuritySubtype(r.subtype) ? 'authentication' : 'rest',
    interaction: r.subtype,
    outcome: OUTCOME_CODE[r.outcome],
    result: r.outcome,
    detail: r.outcomeDetail,
    owner: r.owner === OPERATOR_OWNER ? 'operator' : r.owner,
    agent: r.agent.nationalId,
    clientId: r.clientId,
    sourceAddress: r.sourceAddress,
    patient: r.patientHandle && `Patient/${r.patientHandle}`,
    country: r.country,
    transaction: r.ehdsiTransaction,
    requestId: r.requestId,
  };
  for (const k of Object.keys(line) as (keyof AuditLine)[]) if (line[k] === undefined) delete line[k];
  return line;
}

const COLUMNS: Array<[string, (l: AuditLine) => string]> = [
  ['recorded', (l) => l.recorded],
  ['type', (l) => l.type],
  ['interaction', (l) => l.interaction],
  ['outcome', (l) => `${l.outcome} ${l.result}`],
  ['detail', (l) => l.detail ?? ''],
  ['owner', (l) => l.owner],
  ['agent', (l) => l.agent],
  ['client', (l) => l.clientId ?? ''],
  ['address', (l) => l.sourceAddress ?? ''],
  ['patient', (l) => l.patient ?? ''],
  ['country', (l) => l.country ?? ''],
  ['request', (l) => l.requestId],
];

export function auditTable(lines: AuditLine[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...lines.map((l) => COLUMNS.map(([, f]) => f(l)))];
  const widths = COLUMNS.map((_c, i) => Math.max(...rows.map((r) => r[i].length)));
  return `${rows.map((r) => r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`;
}

interface Options {
  since: Date;
  until?: Date;
  type: 'authentication' | 'all';
  format: 'table' | 'json';
  limit?: number;
}

function parseArgs(argv: string[]): Options | string {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (!['--since', '--until', '--type', '--format', '--limit'].includes(name)) return `unknown option ${name}`;
    if (value === undefined || value.startsWith('--')) return `${name} needs a value`;
    values.set(name, value);
  }
  const date = (name: string): Date | undefined | string => {
    const v = values.get(name);
    if (v === undefined) return undefined;
    try {
      return dateRange(v).start;
    } catch {
      return `${name} "${v}" is not a date (YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss] with a time zone)`;
    }
  };
  const since = date('--since');
  if (since === undefined) return '--since is required';
  if (typeof since === 'string') return since;
  const until = date('--until');
  if (typeof until === 'string') return until;
  const type = values.get('--type') ?? 'all';
  if (type !== 'authentication' && type !== 'all') return '--type is authentication or all';
  const format = values.get('--format') ?? 'table';
  if (format !== 'table' && format !== 'json') return '--format is table or json';
  const limitRaw = values.get('--limit');
  if (limitRaw !== undefined && !/^[1-9]\d{0,6}$/.test(limitRaw)) return '--limit is a positive whole number';
  return { since, until, type, format, limit: limitRaw === undefined ? undefined : Number(limitRaw) };
}

async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit();
  const store = await openStore(config);
  try {
    const records = await store.listAuditForOperator({
      from: options.since,
      to: options.until,
      subtypes: options.type === 'authentication' ? Object.keys(AUDIT_SUBTYPES).filter((s) => isSecuritySubtype(s as keyof typeof AUDIT_SUBTYPES)) : undefined,
      limit: options.limit,
    });
    const lines = records.map(auditLine);
    process.stdout.write(options.format === 'json' ? `${JSON.stringify(lines, null, 2)}\n` : auditTable(lines));
    process.stderr.write(`${lines.length} audit record(s) since ${options.since.toISOString()} (${store.kind})\n`);
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  // The store's own message (never the connection URL, which may carry a password).
  process.stderr.write(`The audit trail could not be read: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

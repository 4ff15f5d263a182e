/**
 * Faults on demand: tests (or a developer, over /_control/faults) queue
 * faults that the next matching requests consume, so a failure path can be
 * exercised without restarting the simulator. Also keeps the log of received
 * requests (technical facts only, never patient data).
 */

export const TRANSACTIONS = ['xcpd', 'xca-query', 'xca-retrieve'] as const;
export type Transaction = (typeof TRANSACTIONS)[number];

export const FAULT_KINDS = ['delay', 'soap-fault', 'http-500', 'http-503', 'malformed-xml', 'truncated-mtom', 'drop-connection', 'ehdsi-error', 'corrupt-document'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** Only requests to this country's gateway (ISO code); any country when absent. */
  country?: string;
  /** Only this transaction; any when absent. */
  transaction?: Transaction;
  fault: FaultKind;
  /** For `delay`: how long to wait before answering normally. */
  delayMs?: number;
  /** For `ehdsi-error` (required) and `soap-fault` (optional subcode): the eHDSI code, e.g. 4701 or ERROR_PI_GENERIC. */
  ehdsiCode?: string;
  /** How many matching requests consume this fault (default 1). */
  times?: number;
}

/** A queued fault with the uses it has left. */
export interface QueuedFault extends FaultSpec {
  remaining: number;
}

export interface RequestLogEntry {
  /** ISO time the request was received. */
  time: string;
  country: string;
  /** Endpoint path kind: xcpd or xca. */
  endpoint: string;
  /** wsa:Action of the request, when it could be read. */
  action?: string;
  transaction?: Transaction;
  /** The fault applied, if any. */
  fault?: FaultKind;
  /** HTTP status answered (0 when the connection was dropped). */
  status?: number;
  /** eHDSI code of a refusal or error answered, if any. */
  ehdsiCode?: string;
}

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

export const DEFAULT_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 600_000;
const MAX_TIMES = 10_000;
const MAX_LOG_ENTRIES = 1000;
const EHDSI_CODE = /^(\d{4}|XDS[A-Za-z]+|[A-Z][A-Za-z_]{2,60})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validates an untrusted fault description (JSON from the control API); throws FaultSpecError naming the field. */
export function parseFaultSpec(input: unknown, knownCountries?: readonly string[]): FaultSpec {
  if (!isRecord(input)) throw new FaultSpecError('a fault is a JSON object');
  const allowed = new Set(['country', 'transaction', 'fault', 'delayMs', 'ehdsiCode', 'times']);
  for (const k of Object.keys(input)) if (!allowed.has(k)) throw new FaultSpecError(`unknown field "${k}"`);
  const { country, transaction, fault, delayMs, ehdsiCode, times } = input;
  if (typeof fault !== 'string' || !(FAULT_KINDS as readonly string[]).includes(fault)) {
    throw new FaultSpecError(`"fault" must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const spec: FaultSpec = { fault: fault as FaultKind };
  if (country !== undefined) {
    if (typeof country !== 'string' || !/^[A-Za-z]{2}$/.test(country)) throw new FaultSpecError('"country" must be a two-letter country code');
    const cc = country.toUpperCase();
    if (knownCountries && !knownCountries.includes(cc)) throw new FaultSpecError(`"country" ${cc} is not simulated (known: ${knownCountries.join(', ')})`);
    spec.country = cc;
  }
  if (transaction !== undefined) {
    if (typeof transaction !== 'string' || !(TRANSACTIONS as readonly string[]).includes(transaction)) {
      throw new FaultSpecError(`"transaction" must be one of ${TRANSACTIONS.join(', ')}`);
    }
    spec.transaction = transaction as Transaction;
  }
  if (delayMs !== undefined) {
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > MAX_DELAY_MS) {
      throw new FaultSpecError(`"delayMs" must be a whole number of milliseconds between 0 and ${MAX_DELAY_MS}`);
    }
    spec.delayMs = delayMs as number;
  }
  if (ehdsiCode !== undefined) {
    if (typeof ehdsiCode !== 'string' || !EHDSI_CODE.test(ehdsiCode)) throw new FaultSpecError('"ehdsiCode" must be an eHDSI error code such as 4701, XDSMissingDocument or ERROR_PI_GENERIC');
    spec.ehdsiCode = ehdsiCode;
  }
  if (spec.fault === 'ehdsi-error' && !spec.ehdsiCode) throw new FaultSpecError('fault "ehdsi-error" needs "ehdsiCode"');
  if (times !== undefined) {
    if (!Number.isInteger(times) || (times as number) < 1 || (times as number) > MAX_TIMES) throw new FaultSpecError(`"times" must be a whole number between 1 and ${MAX_TIMES}`);
    spec.times = times as number;
  }
  return spec;
}

export class FaultController {
  private queue: QueuedFault[] = [];
  private log: RequestLogEntry[] = [];

  /** @param knownCountries the simulated countries, so a fault for an unknown one is refused. */
  constructor(private readonly knownCountries?: readonly string[]) {}

  /** Queues a fault (validated as the control API does); returns what was queued. */
  add(spec: FaultSpec): QueuedFault {
    const valid = parseFaultSpec(spec, this.knownCountries);
    const queued: QueuedFault = { ...valid, remaining: valid.times ?? 1 };
    this.queue.push(queued);
    return { ...queued };
  }

  /** Removes every queued fault. */
  clear(): void {
    this.queue = [];
  }

  /** Queued faults with their remaining uses (copies). */
  pending(): QueuedFault[] {
    return this.queue.map((f) => ({ ...f }));
  }

  /**
   * Consumes one use of the oldest fault matching this request. A fault
   * restricted to a transaction never matches a request whose transaction
   * could not be determined.
   */
  take(country: string, transaction: Transaction | undefined): FaultSpec | undefined {
    const index = this.queue.findIndex((f) => (!f.country || f.country === country) && (!f.transaction || f.transaction === transaction));
    if (index < 0) return undefined;
    const found = this.queue[index];
    found.remaining -= 1;
    if (found.remaining <= 0) this.queue.splice(index, 1);
    const { remaining: _remaining, ...spec } = found;
    return spec;
  }

  /** Logs a request; the entry may be completed afterwards (status, code) by the caller. */
  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOG_ENTRIES) this.log.splice(0, this.log.length - MAX_LOG_ENTRIES);
  }

  /** Requests received so far, oldest first (copies). */
  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  clearRequests(): void {
    this.log = [];
  }

  /** Clears queued faults and the request log. */
  reset(): void {
    this.clear();
    this.clearRequests();
  }
}

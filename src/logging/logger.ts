import { pino, type Logger } from 'pino';

/**
 * One logger for the process. Callers must never log bodies, query values or
 * identifiers of patients: only technical facts (routes, statuses, counts).
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'ehdsi-fhir-facade' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };

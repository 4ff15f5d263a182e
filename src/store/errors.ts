/**
 * The storage failed (unreachable database, full disk, schema newer than the
 * code). Messages name the operation only; the driver error is kept as
 * `cause` and must not be logged whole (it may quote values).
 */
export class StoreError extends Error {
  constructor(readonly operation: string, message: string, options?: { cause?: unknown }) {
    super(`Store ${operation} failed: ${message}`, options);
    this.name = 'StoreError';
  }
}

/** A consent was recorded for a patient handle that is not one of the owner's patients. */
export class UnknownPatientError extends Error {
  constructor() {
    super('Unknown patient');
    this.name = 'UnknownPatientError';
  }
}

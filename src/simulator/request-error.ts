/** A request the simulated gateway cannot process as sent: answered with a SOAP Sender fault. */
export class RequestError extends Error {
  constructor(
    message: string,
    /** SOAP fault subcode, e.g. wsa:ActionNotSupported. */
    readonly subcode?: string,
    /** HTTP status of the fault (SOAP 1.2 binding: 400 for Sender faults). */
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

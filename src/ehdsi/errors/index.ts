export { EHDSI_ERRORS, EHDSI_CODE_SYSTEM, IHE_XCPD_CODE_SYSTEM, ehdsiErrorRow, type EhdsiErrorRow } from './ehdsi-errors.js';
export { EhdsiError, type EhdsiTransaction } from './ehdsi-error.js';
export { failureCodeOf, isGatewayFailure } from './failure-code.js';

export * from './types.js';
export { iscoRoleFor, ISCO_CODE_SYSTEM, UnknownProfessionError, type IscoRole } from './isco.js';
export { loadOrCreateSigningKeys, SigningKeysError, type SigningKeys, type SigningKeysInit } from './keys.js';
export { buildHcpAssertion, PATIENT_SUMMARY_PERMISSIONS, type HcpAssertionOptions } from './hcp-assertion.js';
export { buildTrcAssertion, type TrcInit } from './trc-assertion.js';
export { AssertionBuildError } from './assertion-xml.js';
export { signAssertion } from './sign.js';
export { VerifiedAssertions } from './verified-assertions.js';
export { checkValidityWindow, verifyAssertion, verifyTrcBinding, verifyTrcPatient, AssertionError, type AssertionFailure, type VerifiedAssertion, type VerifyOptions } from './verify.js';

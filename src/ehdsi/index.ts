/**
 * The eHDSI transport client: SOAP/MTOM, SAML assertions, and one module per
 * transaction (XCPD ITI-55, XCA ITI-38 / ITI-39), plus the error table the
 * FHIR layer uses to answer. The country registry lives in ./countries/.
 */
export * from './soap/index.js';
export * from './saml/index.js';
export * from './xcpd/index.js';
export * from './xca-query/index.js';
export * from './xca-retrieve/index.js';
export * from './errors/index.js';

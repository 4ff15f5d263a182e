import type { SettingDef } from '../setting-def.js';

/** Settings of the ehdsi layer (see src/config/settings.ts). */
export const EHDSI_SETTINGS: readonly SettingDef[] = [
  { key: 'ehdsi.countriesFile', env: 'EHDSI_COUNTRIES_FILE', type: 'path', optional: true, description: 'JSON file giving real endpoints (xcpd, xcaQuery, xcaRetrieve), home community ids or extra countries with their search mask ({"countries":[{"code":"HR",…}]}); without it every country points at the embedded simulator.' },
  // Transport (SOAP client, SAML signing, mutual TLS).
  { key: 'ehdsi.homeCommunityId', env: 'EHDSI_HOME_COMMUNITY_ID', type: 'string', default: '2.999.250.1.1', description: 'France\'s own home community OID (XCPD sender, HCP assertion). The default is an example-arc OID for local use; set the real one assigned to the French NCPeH.' },
  { key: 'ehdsi.timeoutMs', env: 'EHDSI_TIMEOUT_MS', type: 'int', default: 5000, min: 100, max: 120000, description: 'Timeout of one call to a country gateway, connection and complete answer included (ms); beyond it the FHIR answer is 504.' },
  { key: 'ehdsi.maxResponseBytes', env: 'EHDSI_MAX_RESPONSE_BYTES', type: 'int', default: 52428800, min: 65536, max: 1073741824, description: 'Largest gateway answer accepted (bytes); a larger one is refused as malformed (502).' },
  { key: 'ehdsi.signing.keyFile', env: 'EHDSI_SIGNING_KEY_FILE', type: 'path', optional: true, description: 'PEM private key signing the SAML assertions. With ehdsi.signing.certFile; when both are absent a development key and self-signed certificate are generated in DATA_DIR.' },
  { key: 'ehdsi.signing.certFile', env: 'EHDSI_SIGNING_CERT_FILE', type: 'path', optional: true, description: 'PEM certificate of the SAML signing key (embedded in every signature).' },
  { key: 'ehdsi.assertionIssuer', env: 'EHDSI_ASSERTION_ISSUER', type: 'string', default: 'urn:idp:FR:countryB', description: 'Issuer written in the HCP and TRC assertions.' },
  { key: 'ehdsi.hcpAssertionMinutes', env: 'EHDSI_HCP_ASSERTION_MINUTES', type: 'int', default: 60, min: 1, max: 240, description: 'Lifetime of an HCP identity assertion (minutes, at most 4 h).' },
  { key: 'ehdsi.trcAssertionMinutes', env: 'EHDSI_TRC_ASSERTION_MINUTES', type: 'int', default: 120, min: 1, max: 120, description: 'Lifetime of a TRC assertion (minutes, at most 2 h).' },
  { key: 'ehdsi.tls.clientCertFile', env: 'EHDSI_TLS_CLIENT_CERT_FILE', type: 'path', optional: true, description: 'PEM client certificate for mutual TLS with the gateways (with ehdsi.tls.clientKeyFile).' },
  { key: 'ehdsi.tls.clientKeyFile', env: 'EHDSI_TLS_CLIENT_KEY_FILE', type: 'path', optional: true, description: 'PEM private key of the mutual-TLS client certificate.' },
  { key: 'ehdsi.tls.caFile', env: 'EHDSI_TLS_CA_FILE', type: 'path', optional: true, description: 'PEM bundle of the CAs the gateways\' server certificates must chain to (default: the system CAs).' },
];

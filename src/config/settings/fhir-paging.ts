import type { SettingDef } from '../setting-def.js';

/**
 * Paging of the FHIR searches (see src/config/settings.ts and
 * src/fhir/paging.ts, which reads it): the key that signs the cursor of the
 * page links (Bundle.link first, next, previous).
 */
export const FHIR_PAGING_SETTINGS: readonly SettingDef[] = [
  { key: 'fhir.pagingKey', env: 'FHIR_PAGING_KEY', type: 'string', optional: true, description: 'Secret (32 characters or more) that signs the cursor of the page links of every search (`_page`: HMAC-SHA256, valid 1 h, bound to the professional it was issued to). Unset: a random key made at start-up, so page links stop working when the server restarts; set it to the same value on every instance behind a load balancer.' },
];

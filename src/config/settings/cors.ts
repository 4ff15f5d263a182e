import type { SettingDef } from '../setting-def.js';

/**
 * CORS of the FHIR endpoint (see src/config/settings.ts and src/fhir/cors.ts,
 * which reads and checks it): which browser apps (SMART apps with bearer
 * tokens, no cookies) may call /fhir and the SMART discovery document.
 */
export const CORS_SETTINGS: readonly SettingDef[] = [
  { key: 'fhir.corsOrigins', env: 'FHIR_CORS_ORIGINS', type: 'list', default: ['*'], description: 'Origins (scheme://host[:port]) of the browser apps allowed to call /fhir and /.well-known/smart-configuration (CORS; bearer tokens, never cookies). `*` = any origin (the default, for development); `none` (or [] in the file) = CORS off. Another origin gets no CORS headers (the browser refuses the answer); clients outside a browser are not concerned.' },
];

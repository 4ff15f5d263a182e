import type { SettingDef } from '../settings.js';

/** Settings of the ehdsi layer (see src/config/settings.ts). */
export const EHDSI_SETTINGS: readonly SettingDef[] = [
  { key: 'ehdsi.countriesFile', env: 'EHDSI_COUNTRIES_FILE', type: 'path', optional: true, description: 'JSON file giving real endpoints (xcpd, xcaQuery, xcaRetrieve), home community ids or extra countries with their search mask ({"countries":[{"code":"HR",…}]}); without it every country points at the embedded simulator.' },
];

import type { SettingDef } from '../settings.js';

/** Settings of the ehdsi layer (see src/config/settings.ts). */
export const EHDSI_SETTINGS: readonly SettingDef[] = [];

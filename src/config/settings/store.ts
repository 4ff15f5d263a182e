import type { SettingDef } from '../settings.js';

/** Settings of the store layer (see src/config/settings.ts). */
export const STORE_SETTINGS: readonly SettingDef[] = [];

import type { SettingDef } from '../settings.js';

/** Settings of the mapping layer (see src/config/settings.ts). */
export const MAPPING_SETTINGS: readonly SettingDef[] = [];

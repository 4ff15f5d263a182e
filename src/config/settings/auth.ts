import type { SettingDef } from '../settings.js';

/** Settings of the auth layer (see src/config/settings.ts). */
export const AUTH_SETTINGS: readonly SettingDef[] = [];

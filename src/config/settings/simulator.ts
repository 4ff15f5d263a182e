import type { SettingDef } from '../settings.js';

/** Settings of the simulator layer (see src/config/settings.ts). */
export const SIMULATOR_SETTINGS: readonly SettingDef[] = [];

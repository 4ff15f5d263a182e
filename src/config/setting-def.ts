/** The shape of one setting: settings.ts and the lists of src/config/settings/ give rows of it, config.ts reads by it. */
export type SettingType = 'string' | 'int' | 'port' | 'url' | 'bool' | 'enum' | 'path' | 'list';

export interface SettingDef {
  /** Key in the config file (dotted path) and in the typed config object. */
  key: string;
  /** Environment variable that overrides the file. */
  env: string;
  type: SettingType;
  default?: string | number | boolean | string[];
  /** For type enum. */
  values?: readonly string[];
  /** For int/port. */
  min?: number;
  max?: number;
  /** May be left empty (no default, not required). */
  optional?: boolean;
  description: string;
}

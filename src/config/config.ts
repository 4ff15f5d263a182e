import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SettingDef } from './setting-def.js';
import { SETTINGS } from './settings.js';

/** Values as parsed; keys are the dotted keys of SETTINGS. */
export type ConfigValue = string | number | boolean | string[] | undefined;

export class ConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`Invalid configuration: ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  host: string;
  port: number;
  publicBaseUrl?: string;
  logLevel: string;
  dataDir: string;
  fhir: { maxBodyBytes: number };
  /** Any other setting from SETTINGS, by dotted key. */
  get(key: string): ConfigValue;
}

function parseValue(def: SettingDef, raw: unknown, source: string): ConfigValue {
  const name = `${def.key} (${source})`;
  if (def.type === 'list') {
    if (Array.isArray(raw)) return raw.map(String);
    return String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (def.type === 'bool') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    throw new ConfigError(name, `expected true or false, got "${String(raw)}"`);
  }
  if (def.type === 'int' || def.type === 'port') {
    const s = String(raw).trim();
    if (!/^-?\d+$/.test(s)) throw new ConfigError(name, `expected a whole number, got "${String(raw)}"`);
    const n = Number(s);
    const min = def.min ?? (def.type === 'port' ? 0 : Number.MIN_SAFE_INTEGER);
    const max = def.max ?? (def.type === 'port' ? 65535 : Number.MAX_SAFE_INTEGER);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  }
  const s = String(raw);
  if (def.type === 'enum') {
    if (!def.values?.includes(s)) throw new ConfigError(name, `must be one of ${def.values?.join(', ')}, got "${s}"`);
    return s;
  }
  if (def.type === 'url') {
    try {
      const u = new URL(s);
      if (!/^https?:$/.test(u.protocol)) throw new Error('protocol');
    } catch {
      throw new ConfigError(name, `expected an http(s) URL, got "${s}"`);
    }
    return s.replace(/\/+$/, '');
  }
  if (def.type === 'path') return path.resolve(s);
  return s;
}

function lookup(obj: Record<string, unknown>, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setDotted(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (typeof cur[part] !== 'object' || cur[part] === null) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_FILE', `cannot read "${file}": ${(e as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError('CONFIG_FILE', `"${file}" is not a JSON object: ${(e as Error).message}`);
  }
}

/** Known top-level/dotted keys of the file, so a typo is reported instead of ignored. */
function checkUnknownKeys(obj: Record<string, unknown>, prefix = ''): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (SETTINGS.some((s) => s.key === key)) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && SETTINGS.some((s) => s.key.startsWith(`${key}.`))) {
      checkUnknownKeys(v as Record<string, unknown>, key);
      continue;
    }
    throw new ConfigError(key, 'unknown setting in the configuration file');
  }
}

/**
 * Builds the typed configuration: defaults, then the optional JSON file named
 * by CONFIG_FILE, then environment variables, then explicit overrides (tests).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): Config {
  const file = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  checkUnknownKeys(file);
  const values: Record<string, ConfigValue> = {};
  const tree: Record<string, unknown> = {};
  for (const def of SETTINGS) {
    let value: ConfigValue;
    if (def.key in overrides) value = overrides[def.key] === undefined ? undefined : parseValue(def, overrides[def.key], 'override');
    else if (env[def.env] !== undefined && env[def.env] !== '') value = parseValue(def, env[def.env], `environment variable ${def.env}`);
    else if (lookup(file, def.key) !== undefined) value = parseValue(def, lookup(file, def.key), 'configuration file');
    else if (def.default !== undefined) value = parseValue(def, def.default, 'default');
    else if (!def.optional) throw new ConfigError(`${def.key} (${def.env})`, 'is required');
    values[def.key] = value;
    setDotted(tree, def.key, value);
  }
  for (const k of Object.keys(overrides)) {
    if (!SETTINGS.some((s) => s.key === k)) throw new ConfigError(k, 'unknown setting');
  }
  return { ...(tree as unknown as Omit<Config, 'get'>), get: (key: string) => values[key] };
}

/** Markdown table of all settings, for the README. */
export function settingsMarkdownTable(): string {
  const rows = SETTINGS.map((s) => {
    const def = s.default === undefined ? '—' : `\`${Array.isArray(s.default) ? s.default.join(',') : String(s.default)}\``;
    const type = s.type === 'enum' ? s.values?.join(' \\| ') : s.type;
    return `| \`${s.env}\` | \`${s.key}\` | ${type} | ${def} | ${s.description} |`;
  });
  return ['| environment variable | file key | type | default | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * For command-line entry points: the configuration, or the bad setting named
 * on stderr and exit code 2 (a typo must not look like a crash).
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

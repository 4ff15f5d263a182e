/**
 * Every setting of the server, as data: the loader validates against it, the
 * README table is generated from it. Add a row here to add a setting.
 */
import { AUDIT_SETTINGS } from './settings/audit.js';
import { AUTH_SETTINGS } from './settings/auth.js';
import { CORS_SETTINGS } from './settings/cors.js';
import { EHDSI_SETTINGS } from './settings/ehdsi.js';
import { FHIR_PAGING_SETTINGS } from './settings/fhir-paging.js';
import { RATE_LIMIT_SETTINGS } from './settings/limits.js';
import { MAPPING_SETTINGS } from './settings/mapping.js';
import { METRICS_SETTINGS } from './settings/metrics.js';
import { SIMULATOR_SETTINGS } from './settings/simulator.js';
import { STORE_SETTINGS } from './settings/store.js';
import type { SettingDef } from './setting-def.js';

const CORE_SETTINGS: readonly SettingDef[] = [
  { key: 'host', env: 'HOST', type: 'string', default: '127.0.0.1', description: 'Interface the FHIR server listens on.' },
  { key: 'port', env: 'PORT', type: 'port', default: 8080, min: 0, description: 'Port of the FHIR server (0 = any free port).' },
  { key: 'publicBaseUrl', env: 'PUBLIC_BASE_URL', type: 'url', optional: true, description: 'Public URL of the server as clients see it (e.g. behind a proxy); defaults to http://HOST:PORT.' },
  { key: 'logLevel', env: 'LOG_LEVEL', type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'Log level (pino). Logs never contain bodies, query values or patient identifiers.' },
  { key: 'dataDir', env: 'DATA_DIR', type: 'path', default: './data', description: 'Directory for local state (SQLite store, generated development keys).' },
  { key: 'trustProxy', env: 'TRUST_PROXY', type: 'list', optional: true, description: 'Reverse proxies (load balancers) whose X-Forwarded-For and X-Forwarded-Proto are believed, comma-separated: loopback, uniquelocal, addresses or CIDR ranges (Express \'trust proxy\'). The source address of audit records and rate limits is then the client\'s, not the proxy\'s. Unset: the socket\'s peer.' },
  { key: 'fhir.maxBodyBytes', env: 'FHIR_MAX_BODY_BYTES', type: 'int', default: 1048576, min: 1024, max: 104857600, description: 'Largest request body accepted on /fhir (bytes); larger ones get 413.' },
];

/** Every setting: the core ones above, then one list per layer (src/config/settings/*.ts). */
export const SETTINGS: readonly SettingDef[] = [
  ...CORE_SETTINGS,
  ...CORS_SETTINGS,
  ...FHIR_PAGING_SETTINGS,
  ...AUTH_SETTINGS,
  ...EHDSI_SETTINGS,
  ...SIMULATOR_SETTINGS,
  ...MAPPING_SETTINGS,
  ...STORE_SETTINGS,
  ...AUDIT_SETTINGS,
  ...RATE_LIMIT_SETTINGS,
  ...METRICS_SETTINGS,
];

import type { SettingDef } from '../setting-def.js';

/**
 * The Prometheus metrics of the server (see src/config/settings.ts, and
 * src/server.ts, which serves /metrics): who may read them.
 */
export const METRICS_SETTINGS: readonly SettingDef[] = [
  { key: 'metrics.token', env: 'METRICS_TOKEN', type: 'string', optional: true, description: 'Secret (16 characters or more) a Prometheus scraper presents as `Authorization: Bearer <token>` to read /metrics (on the FHIR port). Unset: /metrics answers loopback callers only (the socket\'s peer, without X-Forwarded-For or Forwarded), 403 to any other.' },
];

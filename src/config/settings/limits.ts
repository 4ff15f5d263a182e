import type { SettingDef } from '../setting-def.js';

/**
 * Rate limits (see src/config/settings.ts). On by default with generous
 * values: they stop a runaway client or a password-guessing loop, not a
 * professional at work. Counted in memory, per instance.
 */
export const RATE_LIMIT_SETTINGS: readonly SettingDef[] = [
  { key: 'rateLimit.enabled', env: 'RATE_LIMIT_ENABLED', type: 'bool', default: true, description: 'Limit the request rate on /fhir (per professional and per source address) and on the portal login (per source address); over the limit: 429 with Retry-After. Counted in memory: with several instances, the limits are per instance.' },
  { key: 'rateLimit.windowSeconds', env: 'RATE_LIMIT_WINDOW_SECONDS', type: 'int', default: 60, min: 1, max: 3600, description: 'Length of the fixed window the requests are counted in (seconds).' },
  { key: 'rateLimit.perProfessional', env: 'RATE_LIMIT_PER_PROFESSIONAL', type: 'int', default: 600, min: 0, max: 1000000, description: 'Requests on /fhir per professional (national id of the token) and window; 0 = no limit. The 429 is audited under the professional\'s name.' },
  { key: 'rateLimit.perAddress', env: 'RATE_LIMIT_PER_ADDRESS', type: 'int', default: 3000, min: 0, max: 1000000, description: 'Requests on /fhir per source address and window, before the token is looked at; 0 = no limit. Behind a reverse proxy, set TRUST_PROXY so that the client\'s address is counted, not the proxy\'s.' },
  { key: 'rateLimit.loginPerAddress', env: 'RATE_LIMIT_LOGIN_PER_ADDRESS', type: 'int', default: 120, min: 0, max: 1000000, description: 'Requests on the portal\'s login routes (/portal/login, /portal/callback) per source address and window; 0 = no limit.' },
];

import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../../config/config.js';
import type { Logger } from '../../logging/logger.js';
import { AtnaExporter } from './exporter.js';

function pem(config: Pick<Config, 'get'>, key: string, env: string): Buffer | undefined {
  const file = config.get(key);
  if (typeof file !== 'string') return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`${key} (${env})`, `cannot read "${file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The ATNA exporter the configuration asks for (audit.atna.host set), else undefined. Rejects unreadable PEM files (ConfigError). */
export function atnaExporterFromConfig(config: Pick<Config, 'get'>, logger?: Logger): AtnaExporter | undefined {
  const host = config.get('audit.atna.host');
  if (typeof host !== 'string' || host.trim() === '') return undefined;
  const cert = pem(config, 'audit.atna.cert', 'ATNA_CERT_FILE');
  const key = pem(config, 'audit.atna.key', 'ATNA_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError('audit.atna.cert (ATNA_CERT_FILE)', 'the client certificate and its key (audit.atna.key) go together');
  return new AtnaExporter({
    host: host.trim(),
    port: Number(config.get('audit.atna.port')),
    ca: pem(config, 'audit.atna.ca', 'ATNA_CA_FILE'),
    cert,
    key,
    serverName: config.get('audit.atna.serverName') as string | undefined,
    queueSize: Number(config.get('audit.atna.queueSize')),
    source: { sourceId: String(config.get('audit.atna.sourceId')), enterpriseSiteId: config.get('ehdsi.homeCommunityId') as string | undefined },
    logger,
  });
}

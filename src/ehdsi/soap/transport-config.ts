/**
 * The eHDSI transport as configured (src/config/settings/ehdsi.ts): the SOAP
 * client with its timeout and optional mutual TLS, the signing keys (generated
 * in DATA_DIR on first start when none are configured), and assertion settings.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/config.js';
import { ConfigError } from '../../config/config.js';
import type { Logger } from '../../logging/logger.js';
import { loadOrCreateSigningKeys, type SigningKeys } from '../saml/keys.js';
import { SoapClient } from './client.js';

export interface EhdsiTransport {
  client: SoapClient;
  keys: SigningKeys;
  /** France's own home community OID. */
  homeCommunityId: string;
  assertionIssuer: string;
  hcpAssertionMinutes: number;
  trcAssertionMinutes: number;
}

function readPem(setting: string, file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(setting, `cannot read "${file}": ${(e as Error).message}`);
  }
}

export function createEhdsiTransport(config: Config, logger?: Logger): EhdsiTransport {
  const str = (key: string): string | undefined => config.get(key) as string | undefined;
  const cert = readPem('ehdsi.tls.clientCertFile', str('ehdsi.tls.clientCertFile'));
  const key = readPem('ehdsi.tls.clientKeyFile', str('ehdsi.tls.clientKeyFile'));
  if (!!cert !== !!key) throw new ConfigError('ehdsi.tls', 'the mutual-TLS client certificate and its key must be configured together');
  const keys = loadOrCreateSigningKeys({ dataDir: config.dataDir, keyFile: str('ehdsi.signing.keyFile'), certFile: str('ehdsi.signing.certFile') });
  return {
    client: new SoapClient({
      timeoutMs: config.get('ehdsi.timeoutMs') as number,
      maxResponseBytes: config.get('ehdsi.maxResponseBytes') as number,
      tls: { cert, key, ca: readPem('ehdsi.tls.caFile', str('ehdsi.tls.caFile')) },
      logger,
    }),
    keys,
    homeCommunityId: str('ehdsi.homeCommunityId') as string,
    assertionIssuer: str('ehdsi.assertionIssuer') as string,
    hcpAssertionMinutes: config.get('ehdsi.hcpAssertionMinutes') as number,
    trcAssertionMinutes: config.get('ehdsi.trcAssertionMinutes') as number,
  };
}

/**
 * Signing keys for the SAML assertions. Real keys and certificates come from
 * configuration; when none are configured (a laptop), an RSA-2048 key and a
 * self-signed certificate are generated once and kept in the data directory.
 */
import { generateKeyPairSync, createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSelfSignedCertificate } from './x509.js';

export interface SigningKeys {
  privateKeyPem: string;
  certificatePem: string;
}

export interface SigningKeysInit {
  dataDir: string;
  /** Configured private key (PEM file); with certFile, used as is. */
  keyFile?: string;
  certFile?: string;
  /** Subject of a generated certificate. */
  subjectName?: string;
}

export class SigningKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeysError';
  }
}

const DEV_KEY = 'ehdsi-dev-signing-key.pem';
const DEV_CERT = 'ehdsi-dev-signing-cert.pem';

/** Checks that the key and certificate belong together and are usable. */
function checkPair(keys: SigningKeys, origin: string): SigningKeys {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(keys.certificatePem);
    if (!cert.checkPrivateKey(createPrivateKey(keys.privateKeyPem))) throw new Error('the private key does not match the certificate');
  } catch (e) {
    throw new SigningKeysError(`${origin}: ${(e as Error).message}`);
  }
  return keys;
}

export function loadOrCreateSigningKeys(init: SigningKeysInit): SigningKeys {
  if (init.keyFile || init.certFile) {
    if (!init.keyFile || !init.certFile) throw new SigningKeysError('both the signing key and its certificate must be configured');
    const read = (f: string): string => {
      try {
        return readFileSync(f, 'utf8');
      } catch (e) {
        throw new SigningKeysError(`cannot read ${f}: ${(e as Error).message}`);
      }
    };
    return checkPair({ privateKeyPem: read(init.keyFile), certificatePem: read(init.certFile) }, 'configured signing keys');
  }
  const keyPath = path.join(init.dataDir, DEV_KEY);
  const certPath = path.join(init.dataDir, DEV_CERT);
  if (existsSync(keyPath) && existsSync(certPath)) {
    return checkPair({ privateKeyPem: readFileSync(keyPath, 'utf8'), certificatePem: readFileSync(certPath, 'utf8') }, 'development signing keys');
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificatePem = createSelfSignedCertificate({
    privateKey,
    subject: { cn: init.subjectName ?? 'eHDSI FHIR facade development signer', o: 'Development only', c: 'FR' },
    validDays: 3650,
  });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  mkdirSync(init.dataDir, { recursive: true });
  writeFileSync(keyPath, privateKeyPem, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, certificatePem);
  return { privateKeyPem, certificatePem };
}

/** Enveloped XML signature of a SAML assertion: RSA-SHA256, exclusive c14n, placed after Issuer. */
import { SignedXml } from 'xml-crypto';
import type { SigningKeys } from './keys.js';

export const DSIG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

export function signAssertion(xml: string, keys: SigningKeys): string {
  const sig = new SignedXml({
    privateKey: keys.privateKeyPem,
    publicCert: keys.certificatePem,
    signatureAlgorithm: DSIG.rsaSha256,
    canonicalizationAlgorithm: DSIG.excC14n,
  });
  sig.addReference({
    xpath: "/*[local-name()='Assertion']",
    transforms: [DSIG.enveloped, DSIG.excC14n],
    digestAlgorithm: DSIG.sha256,
  });
  // SAML 2.0 schema order: the Signature follows the Issuer.
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name()='Issuer']", action: 'after' } });
  return sig.getSignedXml();
}

import { generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSelfSignedCertificate } from '../saml/x509.js';
import { SoapClient } from './client.js';
import { buildEnvelope } from './envelope.js';

function pair(cn: string, server: boolean) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = createSelfSignedCertificate({ privateKey, subject: { cn }, validDays: 1, usage: 'tls', altNames: server ? { dns: ['localhost'], ip: ['127.0.0.1'] } : undefined });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert };
}

describe('SoapClient over mutual TLS', () => {
  const serverPair = pair('gateway.test', true);
  const clientPair = pair('fr-ncp.test', false);
  let server: https.Server;
  let endpoint: string;
  let clientSubject: string | undefined;

  beforeAll(async () => {
    server = https.createServer({ key: serverPair.key, cert: serverPair.cert, requestCert: true, rejectUnauthorized: true, ca: [clientPair.cert] }, (req, res) => {
      const cn = (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN;
      clientSubject = Array.isArray(cn) ? cn.join(',') : cn;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(buildEnvelope({ action: 'urn:r', bodyXml: '<ok xmlns="urn:t"/>' })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/xcpd`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('presents the configured client certificate and trusts the configured CA', async () => {
    const client = new SoapClient({ timeoutMs: 3000, tls: { cert: clientPair.cert, key: clientPair.key, ca: serverPair.cert } });
    const res = await client.call({ country: 'LU', endpoint, action: 'urn:q', bodyXml: '<q/>', assertions: [] });
    client.close();
    expect(res.body.payload?.localName).toBe('ok');
    expect(clientSubject).toBe('fr-ncp.test');
  });

  it('fails as a connection error without a client certificate, or with an untrusted server', async () => {
    const noCert = new SoapClient({ timeoutMs: 3000, tls: { ca: serverPair.cert } });
    await expect(noCert.call({ country: 'LU', endpoint, action: 'urn:q', bodyXml: '<q/>', assertions: [] })).rejects.toMatchObject({ kind: 'connection', country: 'LU' });
    noCert.close();
    const untrusting = new SoapClient({ timeoutMs: 3000, tls: { cert: clientPair.cert, key: clientPair.key } });
    await expect(untrusting.call({ country: 'LU', endpoint, action: 'urn:q', bodyXml: '<q/>', assertions: [] })).rejects.toMatchObject({ kind: 'connection' });
    untrusting.close();
  });
});

/**
 * A minimal DER writer for one job: a self-signed X.509 v3 certificate for the
 * development signing key (node:crypto signs and parses certificates but
 * cannot create one). Real deployments configure certificates issued by their
 * national PKI instead.
 */
import { createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const enc = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) enc.unshift((v & 0x7f) | 0x80);
    bytes.push(...enc);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** DER INTEGER from unsigned big-endian bytes: minimal length (no leading zero bytes), positive. */
export function positiveInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return tlv(0x02, minimal[0] & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  // RFC 5280: UTCTime up to 2049, GeneralizedTime after.
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function name(attrs: { cn: string; o?: string; c?: string }): Buffer {
  const rdn = (type: string, value: Buffer): Buffer => set(seq(oid(type), value));
  const rdns = [];
  if (attrs.c) rdns.push(rdn('2.5.4.6', tlv(0x13, Buffer.from(attrs.c, 'ascii'))));
  if (attrs.o) rdns.push(rdn('2.5.4.10', tlv(0x0c, Buffer.from(attrs.o, 'utf8'))));
  rdns.push(rdn('2.5.4.3', tlv(0x0c, Buffer.from(attrs.cn, 'utf8'))));
  return seq(...rdns);
}

export interface SelfSignedInit {
  privateKey: KeyObject;
  subject: { cn: string; o?: string; c?: string };
  validDays: number;
  now?: Date;
  /** 'signing' (default): digitalSignature + nonRepudiation; 'tls': digitalSignature + keyEncipherment, for test servers. */
  usage?: 'signing' | 'tls';
  /** subjectAltName entries (a TLS server on loopback needs IP 127.0.0.1). */
  altNames?: { dns?: string[]; ip?: string[] };
}

function subjectAltName(alt: NonNullable<SelfSignedInit['altNames']>): Buffer {
  const names = [
    ...(alt.dns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...(alt.ip ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  ];
  return seq(oid('2.5.29.17'), tlv(0x04, seq(...names)));
}

/** A self-signed RSA / SHA-256 certificate (PEM), usable for signing only. */
export function createSelfSignedCertificate(init: SelfSignedInit): string {
  const now = init.now ?? new Date();
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + init.validDays * 86_400_000);
  const spki = createPublicKey(init.privateKey).export({ type: 'spki', format: 'der' });
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const extensions = tlv(0xa3, seq(
    seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq())), // basicConstraints: critical, not a CA
    // keyUsage: digitalSignature + nonRepudiation (signing) or digitalSignature + keyEncipherment (tls)
    seq(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from(init.usage === 'tls' ? [0x05, 0xa0] : [0x06, 0xc0])))),
    ...(init.altNames ? [subjectAltName(init.altNames)] : []),
  ));
  const tbs = seq(
    tlv(0xa0, positiveInteger(Buffer.from([2]))),
    positiveInteger(serial),
    sha256WithRsa,
    name(init.subject),
    seq(time(notBefore), time(notAfter)),
    name(init.subject),
    spki,
    extensions,
  );
  const signature = sign('sha256', tbs, init.privateKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
  // Parse it back: a certificate node cannot read is a bug, not a key to hand out.
  new X509Certificate(pem);
  return pem;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEnvelope, parseSoapEnvelope, securityHeader } from '../soap/envelope.js';
import { NS } from '../soap/namespaces.js';
import { attr, children, parseXml, text } from '../soap/xml.js';
import { AssertionBuildError } from './assertion-xml.js';
import { buildHcpAssertion } from './hcp-assertion.js';
import { iscoRoleFor, UnknownProfessionError } from './isco.js';
import { loadOrCreateSigningKeys, SigningKeysError, type SigningKeys } from './keys.js';
import { buildTrcAssertion } from './trc-assertion.js';
import { SAML, type HcpIdentity } from './types.js';
import { VerifiedAssertions } from './verified-assertions.js';
import { AssertionError, verifyAssertion, verifyTrcBinding, verifyTrcPatient } from './verify.js';

let dir: string;
let keys: SigningKeys;
let otherKeys: SigningKeys;

const identity: HcpIdentity = {
  subjectId: '899700000001',
  displayName: 'Dr Camille Durand',
  profession: { code: '10', category: 'C', specialty: 'SM54' },
  organisation: { name: 'Centre hospitalier de Test', id: 'urn:oid:1.2.250.1.71.4.2.2|1000000001' },
  facilityType: 'Hospital',
  homeCommunityId: '1.3.6.1.4.1.48336',
  locality: 'Paris',
  purposeOfUse: 'TREATMENT',
};
const patientId = { root: '2.16.17.710.850.1000.990.1', extension: 'PT-0001' };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'saml-test-'));
  keys = loadOrCreateSigningKeys({ dataDir: path.join(dir, 'a') });
  otherKeys = loadOrCreateSigningKeys({ dataDir: path.join(dir, 'b') });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): AssertionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AssertionError) return e;
    throw e;
  }
  throw new Error('expected an AssertionError');
}

describe('iscoRoleFor', () => {
  it.each([
    ['10', '221'], ['21', '2262'], ['40', '2261'], ['50', '2222'], ['60', '2221'], ['69', '2221'],
    ['70', '2264'], ['91', '2266'], ['92', '2267'], ['95', '2265'], ['98', '3211'],
  ])('profession %s → ISCO %s', (profession, isco) => {
    expect(iscoRoleFor({ code: profession }).code).toBe(isco);
  });
  it('maps pharmacy preparers by their TRE_R85 role', () => {
    expect(iscoRoleFor({ code: '21', role: '316' }).code).toBe('3213');
  });
  it('refuses an unknown profession rather than guessing', () => {
    expect(() => iscoRoleFor({ code: '99' })).toThrow(UnknownProfessionError);
  });
});

describe('loadOrCreateSigningKeys', () => {
  it('generates a self-signed pair once and reuses it', () => {
    const again = loadOrCreateSigningKeys({ dataDir: path.join(dir, 'a') });
    expect(again.certificatePem).toBe(keys.certificatePem);
    expect(keys.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  });
  it('uses configured files and refuses a key that does not match the certificate', () => {
    const keyFile = path.join(dir, 'k.pem');
    const certFile = path.join(dir, 'c.pem');
    writeFileSync(keyFile, keys.privateKeyPem);
    writeFileSync(certFile, keys.certificatePem);
    expect(loadOrCreateSigningKeys({ dataDir: dir, keyFile, certFile }).certificatePem).toBe(keys.certificatePem);
    writeFileSync(certFile, otherKeys.certificatePem);
    expect(() => loadOrCreateSigningKeys({ dataDir: dir, keyFile, certFile })).toThrow(SigningKeysError);
    expect(() => loadOrCreateSigningKeys({ dataDir: dir, keyFile })).toThrow(SigningKeysError);
  });
});

describe('HCP identity assertion', () => {
  it('carries every attribute of the eHDSI HCP assertion, signed after the Issuer', () => {
    const hcp = buildHcpAssertion(identity, keys, { now: new Date('2026-03-01T10:00:00.400Z') });
    const root = parseXml(hcp.xml).documentElement!;
    expect(attr(root, 'ID')).toBe(hcp.id);
    expect(hcp.id).toMatch(/^_/);
    const [issuer, signature, subject] = children(root);
    expect(attr(issuer, 'NameQualifier')).toBe('urn:ehdsi:assertions:hcp');
    expect(signature.localName).toBe('Signature');
    expect(signature.namespaceURI).toBe(NS.ds);
    expect(text(children(subject, 'NameID')[0])).toBe('899700000001');
    expect(attr(children(subject, 'SubjectConfirmation')[0], 'Method')).toBe(SAML.senderVouches);
    expect(hcp.notBefore.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(hcp.notOnOrAfter.toISOString()).toBe('2026-03-01T11:00:00.000Z');
    const verified = verifyAssertion(hcp.xml, { trusted: [keys.certificatePem], kind: 'hcp', now: new Date('2026-03-01T10:30:00Z') });
    expect(verified.attributes).toEqual({
      [SAML.attr.homeCommunityId]: ['1.3.6.1.4.1.48336'],
      [SAML.attr.subjectId]: ['Dr Camille Durand'],
      [SAML.attr.role]: ['221'],
      [SAML.attr.organization]: ['Centre hospitalier de Test'],
      [SAML.attr.organizationId]: ['urn:oid:1.2.250.1.71.4.2.2|1000000001'],
      [SAML.attr.purposeOfUse]: ['TREATMENT'],
      [SAML.attr.facilityType]: ['Hospital'],
      [SAML.attr.locality]: ['Paris'],
      [SAML.attr.permission]: ['PRD-003', 'PRD-004', 'PRD-005', 'PRD-006', 'PRD-010', 'PRD-016', 'PRD-046'].map((p) => `urn:oasis:names:tc:xspa:1.0:subject:hl7:permission:${p}`),
    });
    expect(verified).toMatchObject({ kind: 'hcp', id: hcp.id, nameId: '899700000001', role: '221', purposeOfUse: 'TREATMENT', homeCommunityId: '1.3.6.1.4.1.48336' });
  });

  it('writes the ISCO role as an HL7 Role element and uses the given permissions', () => {
    const hcp = buildHcpAssertion({ ...identity, profession: { code: '60' }, purposeOfUse: 'EMERGENCY', permissions: ['PRD-006'] }, keys);
    const role = parseXml(hcp.xml).documentElement!.getElementsByTagNameNS(NS.hl7, 'Role').item(0)!;
    expect([attr(role, 'code'), attr(role, 'codeSystem'), attr(role, 'codeSystemName')]).toEqual(['2221', '2.16.840.1.113883.2.9.6.2.7', 'ISCO']);
    const v = verifyAssertion(hcp.xml, { trusted: [keys.certificatePem], kind: 'hcp' });
    expect(v.purposeOfUse).toBe('EMERGENCY');
    expect(v.attributes[SAML.attr.permission]).toEqual(['urn:oasis:names:tc:xspa:1.0:subject:hl7:permission:PRD-006']);
  });

  it('refuses to build an assertion living longer than 4 hours', () => {
    expect(() => buildHcpAssertion(identity, keys, { lifetimeMinutes: 241 })).toThrow(AssertionBuildError);
  });
});

describe('TRC assertion', () => {
  it('binds the patient, the purpose and the HCP assertion, for the x-border audience, at most 2 hours', () => {
    const hcp = buildHcpAssertion(identity, keys);
    const trc = buildTrcAssertion({ patientId, purposeOfUse: 'EMERGENCY', hcp: { id: hcp.id, subjectId: identity.subjectId } }, keys);
    expect(trc.notOnOrAfter.getTime() - trc.notBefore.getTime()).toBe(2 * 3600_000);
    const root = parseXml(trc.xml).documentElement!;
    expect(text(root.getElementsByTagNameNS(NS.saml, 'AssertionIDRef').item(0))).toBe(hcp.id);
    const v = verifyAssertion(trc.xml, { trusted: [keys.certificatePem], kind: 'trc' });
    expect(v).toMatchObject({ kind: 'trc', patientId, purposeOfUse: 'EMERGENCY', nameId: identity.subjectId, audiences: [SAML.xborderAudience], authnContextClassRef: SAML.previousSession });
    expect(v.attributes[SAML.attr.subjectId]).toEqual(['PT-0001^^^&2.16.17.710.850.1000.990.1&ISO']);
    verifyTrcBinding(v, verifyAssertion(hcp.xml, { trusted: [keys.certificatePem], kind: 'hcp' }));
    verifyTrcPatient(v, patientId);
    expect(() => buildTrcAssertion({ patientId, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: 'x' }, lifetimeMinutes: 121 }, keys)).toThrow(AssertionBuildError);
  });
});

describe('verifyAssertion refusals', () => {
  const trusted = (): string[] => [keys.certificatePem];

  it('refuses a tampered assertion (1001)', () => {
    const hcp = buildHcpAssertion(identity, keys);
    const tampered = hcp.xml.replace('>221<', '>2221<').replace('code="221"', 'code="2212"');
    expect(tampered).not.toBe(hcp.xml);
    expect(refusal(() => verifyAssertion(tampered, { trusted: trusted(), kind: 'hcp' }))).toMatchObject({ ehdsiCode: '1001', reason: 'signature-invalid' });
  });

  it('refuses an expired assertion (1001) and one not yet valid', () => {
    const hcp = buildHcpAssertion(identity, keys, { now: new Date('2026-03-01T10:00:00Z') });
    expect(refusal(() => verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T11:05:00Z') }))).toMatchObject({ ehdsiCode: '1001', reason: 'expired' });
    expect(refusal(() => verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T09:50:00Z') }))).toMatchObject({ ehdsiCode: '1001', reason: 'not-yet-valid' });
    expect(verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T10:59:30Z'), clockSkewSeconds: 0 }).id).toBe(hcp.id);
  });

  it('refuses an assertion signed by an unknown key (1001), even with its certificate embedded', () => {
    const hcp = buildHcpAssertion(identity, otherKeys);
    expect(refusal(() => verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'hcp' }))).toMatchObject({ ehdsiCode: '1001', reason: 'untrusted-signer' });
    expect(verifyAssertion(hcp.xml, { trusted: [keys.certificatePem, otherKeys.certificatePem], kind: 'hcp' }).id).toBe(hcp.id);
  });

  it('refuses an unsigned assertion (4704)', () => {
    const hcp = buildHcpAssertion(identity, keys);
    const unsigned = hcp.xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    expect(refusal(() => verifyAssertion(unsigned, { trusted: trusted(), kind: 'hcp' }))).toMatchObject({ ehdsiCode: '4704', reason: 'no-signature' });
  });

  it('refuses a signature moved onto another assertion with the same ID (wrapping)', () => {
    const real = buildHcpAssertion(identity, keys);
    const forged = buildHcpAssertion({ ...identity, subjectId: '800000000666' }, otherKeys);
    const realSignature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(real.xml)![0];
    const wrapped = forged.xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, realSignature).replaceAll(forged.id, real.id);
    expect(refusal(() => verifyAssertion(wrapped, { trusted: trusted(), kind: 'hcp' })).reason).toBe('signature-invalid');
  });

  it('refuses an HCP assertion presented as a TRC, a wrong audience, a DOCTYPE', () => {
    const hcp = buildHcpAssertion(identity, keys);
    expect(refusal(() => verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'trc' })).reason).toBe('wrong-issuer');
    expect(refusal(() => verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'hcp', issuers: ['urn:idp:DK:countryB'] })).reason).toBe('wrong-issuer');
    const trc = buildTrcAssertion({ patientId, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: identity.subjectId } }, keys);
    expect(refusal(() => verifyAssertion(trc.xml, { trusted: trusted(), kind: 'trc', audience: 'urn:other' })).reason).toBe('wrong-audience');
    const hostile = `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>${hcp.xml}`;
    expect(refusal(() => verifyAssertion(hostile, { trusted: trusted(), kind: 'hcp' }))).toMatchObject({ ehdsiCode: '1001', reason: 'malformed' });
  });

  it('refuses a TRC bound to another HCP assertion (1002) or another patient (4206)', () => {
    const hcp = buildHcpAssertion(identity, keys);
    const otherHcp = buildHcpAssertion(identity, keys);
    const trc = buildTrcAssertion({ patientId, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: identity.subjectId } }, keys);
    const v = verifyAssertion(trc.xml, { trusted: trusted(), kind: 'trc' });
    const vOther = verifyAssertion(otherHcp.xml, { trusted: trusted(), kind: 'hcp' });
    expect(refusal(() => verifyTrcBinding(v, vOther))).toMatchObject({ ehdsiCode: '1002', reason: 'trc-binding' });
    const trcOtherDoctor = buildTrcAssertion({ patientId, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: '899700000002' } }, keys);
    const vHcp = verifyAssertion(hcp.xml, { trusted: trusted(), kind: 'hcp' });
    expect(refusal(() => verifyTrcBinding(verifyAssertion(trcOtherDoctor.xml, { trusted: trusted(), kind: 'trc' }), vHcp)).ehdsiCode).toBe('1002');
    expect(refusal(() => verifyTrcPatient(v, { ...patientId, extension: 'PT-0002' }))).toMatchObject({ ehdsiCode: '4206' });
  });

  it('verifies assertions taken from a received envelope (as the simulator does)', () => {
    const hcp = buildHcpAssertion(identity, keys);
    const trc = buildTrcAssertion({ patientId, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: identity.subjectId } }, keys);
    const env = parseSoapEnvelope(buildEnvelope({ action: 'urn:ihe:iti:2007:CrossGatewayQuery', securityHeaderXml: securityHeader([hcp.xml, trc.xml]), bodyXml: '<q/>' }));
    const [a1, a2] = children(env.security, 'Assertion');
    const vh = verifyAssertion(a1, { trusted: trusted(), kind: 'hcp' });
    const vt = verifyAssertion(a2, { trusted: trusted(), kind: 'trc' });
    verifyTrcBinding(vt, vh);
    expect(readFileSync(path.join(dir, 'a', 'ehdsi-dev-signing-cert.pem'), 'utf8')).toBe(vh.signerCertificatePem);
  });
});

describe('VerifiedAssertions (a gateway verifying the same assertion call after call)', () => {
  const trusted = (): string[] => [keys.certificatePem];

  it('answers a second verification of the same bytes from its memory, with the validity window checked again', () => {
    const cache = new VerifiedAssertions();
    const hcp = buildHcpAssertion(identity, keys, { now: new Date('2026-03-01T10:00:00Z') });
    const first = cache.verify(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T10:01:00Z') });
    expect(cache.verify(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T10:30:00Z') })).toBe(first);
    expect(refusal(() => cache.verify(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T11:05:00Z') }))).toMatchObject({ ehdsiCode: '1001', reason: 'expired' });
    expect(refusal(() => cache.verify(hcp.xml, { trusted: trusted(), kind: 'hcp', now: new Date('2026-03-01T09:50:00Z') }))).toMatchObject({ reason: 'not-yet-valid' });
    expect(cache.size).toBe(1);
  });

  it('never lets a verified assertion vouch for other bytes, another kind or another trust list', () => {
    const cache = new VerifiedAssertions();
    const hcp = buildHcpAssertion(identity, keys);
    cache.verify(hcp.xml, { trusted: trusted(), kind: 'hcp' });
    const tampered = hcp.xml.replace('>221<', '>2221<').replace('code="221"', 'code="2212"');
    expect(refusal(() => cache.verify(tampered, { trusted: trusted(), kind: 'hcp' })).reason).toBe('signature-invalid');
    expect(refusal(() => cache.verify(hcp.xml, { trusted: trusted(), kind: 'trc' })).reason).toBe('wrong-issuer');
    expect(refusal(() => cache.verify(hcp.xml, { trusted: [otherKeys.certificatePem], kind: 'hcp' })).reason).toBe('untrusted-signer');
    // Refusals are not remembered: the same bytes refused once are refused again.
    expect(refusal(() => cache.verify(tampered, { trusted: trusted(), kind: 'hcp' })).reason).toBe('signature-invalid');
    expect(cache.size).toBe(1);
  });

  it('keeps at most its bound, oldest out first', () => {
    const cache = new VerifiedAssertions(2);
    const [a, b, c] = [1, 2, 3].map(() => buildHcpAssertion(identity, keys));
    for (const x of [a, b, c]) cache.verify(x.xml, { trusted: trusted(), kind: 'hcp' });
    expect(cache.size).toBe(2);
  });
});

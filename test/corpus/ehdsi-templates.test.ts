// Checks the requests and assertions we build against the structure of the real
// eHDSI templates (public samples): same elements, namespaces, actions, slots.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ACTIONS, buildEnvelope, buildFindDocumentsQuery, buildHcpAssertion, buildRetrieveRequest, buildTrcAssertion, buildXcpdRequest,
  loadOrCreateSigningKeys, parseSoapEnvelope, parseXml, securityHeader, type SigningKeys,
} from '../../src/ehdsi/index.js';
import { attr, children, text, type Element } from '../../src/ehdsi/soap/xml.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run with npm run test:corpus -- <folder>');
const soapDir = path.join(samples, 'soap');

/** A template with its {{placeholders}} filled: assertions removed, other values made literal. */
function template(file: string): string {
  return readFileSync(path.join(soapDir, file), 'utf8').replace(/\{\{[^}]*\|safe\}\}/g, '').replace(/\{\{([^}]*)\}\}/g, 'PLACEHOLDER-$1');
}

const key = (e: Element): string => `{${e.namespaceURI ?? ''}}${e.localName}`;

/** Every element path (namespace-qualified) under an element, optionally skipping subtrees. */
function paths(el: Element, skip: (e: Element) => boolean = () => false, prefix = ''): Set<string> {
  const out = new Set<string>();
  const here = `${prefix}/${key(el)}`;
  out.add(here);
  for (const c of children(el)) if (!skip(c)) for (const p of paths(c, skip, here)) out.add(p);
  return out;
}

/** Attribute names and values by element path (first occurrence), for comparing fixed values. */
function attributes(el: Element, prefix = '', out = new Map<string, Record<string, string>>()): Map<string, Record<string, string>> {
  const here = `${prefix}/${el.localName}`;
  if (!out.has(here)) {
    const attrs: Record<string, string> = {};
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i)!;
      if (a.name !== 'xmlns' && a.prefix !== 'xmlns') attrs[a.localName ?? a.name] = a.value;
    }
    out.set(here, attrs);
  }
  for (const c of children(el)) attributes(c, here, out);
  return out;
}

const isSignature = (e: Element): boolean => e.localName === 'Signature';

let dir: string;
let keys: SigningKeys;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'templates-'));
  keys = loadOrCreateSigningKeys({ dataDir: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The templates' own values, so that everything but the per-message ids must agree.
const DK_PATIENT = { root: '1.2.208.176.1.2', extension: '0410009234' };
const identity = {
  subjectId: 'drdoolittle',
  displayName: 'Dr. Doolittle',
  profession: { code: '10' },
  organisation: { name: 'eHealth OpenNCP EU Portal', id: 'urn:hl7ii:1.2.3.4:ABCD' },
  facilityType: 'Hospital',
  homeCommunityId: '2.16.17.710.860.1000.990.1',
  locality: 'XSPA locality',
  purposeOfUse: 'TREATMENT' as const,
};

function headerOf(xml: string) {
  const env = parseSoapEnvelope(xml);
  return { env, headerKeys: children(env.header).map(key) };
}

describe('SOAP envelopes against the eHDSI request templates', () => {
  const hcp = () => buildHcpAssertion(identity, keys);

  it.each([
    ['xcpd-request-template.xml', ACTIONS.xcpdRequest, 1],
    ['xca-query-ps-template.xml', ACTIONS.xcaQuery, 2],
    ['xca-retrieve-ps-template.xml', ACTIONS.xcaRetrieve, 2],
  ])('%s: same action, header elements (WS-Addressing, WS-Security) and number of assertions', (file, action, assertionCount) => {
    const tpl = headerOf(template(file));
    expect(tpl.env.action).toBe(action);
    const h = hcp();
    const trc = buildTrcAssertion({ patientId: DK_PATIENT, purposeOfUse: 'TREATMENT', hcp: { id: h.id, subjectId: identity.subjectId } }, keys);
    const ours = headerOf(buildEnvelope({ action, to: 'https://ncp.example/ws', securityHeaderXml: securityHeader(assertionCount === 1 ? [h.xml] : [h.xml, trc.xml]), bodyXml: '<x/>' }));
    expect(ours.env.envelope.namespaceURI).toBe(tpl.env.envelope.namespaceURI);
    expect(ours.env.action).toBe(tpl.env.action);
    for (const k of tpl.headerKeys) expect(ours.headerKeys).toContain(k);
    const actionEl = (env: typeof tpl.env) => children(env.header, 'Action')[0];
    expect(attr(actionEl(ours.env), 'mustUnderstand')).toBe(attr(actionEl(tpl.env), 'mustUnderstand'));
    expect(children(ours.env.security, 'Assertion')).toHaveLength(assertionCount);
  });

  describe('XCPD PRPA_IN201305UV02', () => {
    const build = () => buildXcpdRequest({
      country: 'DK',
      senderHomeCommunityId: '2.16.470.1.100.1.2.1000.990.1',
      receiverHomeCommunityId: '1.2.208',
      traits: [{ domainOid: DK_PATIENT.root, value: DK_PATIENT.extension }],
    });
    const templateBody = () => parseSoapEnvelope(template('xcpd-request-template.xml')).payload!;

    it('has exactly the elements of the template, in the same namespaces', () => {
      const ours = parseXml(build()).documentElement!;
      expect([...paths(ours)].sort()).toEqual([...paths(templateBody())].sort());
      expect([...paths(ours)].sort()).toEqual([...paths(parseXml(template('xcpd-body-PT_SERVER_XCPD_7.xml')).documentElement!)].sort());
    });

    it('has the same attributes and fixed values (only message ids and times differ)', () => {
      const ours = attributes(parseXml(build()).documentElement!);
      const tpl = attributes(templateBody());
      expect([...ours.keys()].sort()).toEqual([...tpl.keys()].sort());
      const variable = new Set(['/PRPA_IN201305UV02/id', '/PRPA_IN201305UV02/creationTime', '/PRPA_IN201305UV02/controlActProcess/queryByParameter/queryId']);
      for (const [p, attrs] of tpl) {
        if (variable.has(p)) expect(Object.keys(ours.get(p)!).sort()).toEqual(Object.keys(attrs).sort());
        else expect({ path: p, attrs: ours.get(p) }).toEqual({ path: p, attrs });
      }
      const tplText = text(children(children(templateBody(), 'controlActProcess')[0], 'queryByParameter')[0]);
      expect(tplText).toContain('LivingSubject.id');
    });
  });

  describe('XCA ITI-38 AdhocQueryRequest', () => {
    it('has the elements, namespaces, query id, response option and slots of the template', () => {
      const ours = parseXml(buildFindDocumentsQuery(DK_PATIENT)).documentElement!;
      const tpl = parseSoapEnvelope(template('xca-query-ps-template.xml')).payload!;
      expect([...paths(ours)].sort()).toEqual([...paths(tpl)].sort());
      const slots = (root: Element) => children(children(root, 'AdhocQuery')[0], 'Slot').map((s) => [attr(s, 'name'), text(s)]);
      expect(slots(ours)).toEqual(slots(tpl));
      expect(attributes(ours)).toEqual(attributes(tpl));
    });

    it('matches the structure of the public body example too (another class code)', () => {
      const example = parseXml(readFileSync(path.join(soapDir, 'xca-query-body-example.xml'), 'utf8')).documentElement!;
      expect([...paths(parseXml(buildFindDocumentsQuery(DK_PATIENT)).documentElement!)].sort()).toEqual([...paths(example)].sort());
    });
  });

  describe('XCA ITI-39 RetrieveDocumentSetRequest', () => {
    const ours = () => parseXml(buildRetrieveRequest([{ homeCommunityId: '2.16.999.1000.990.1', repositoryUniqueId: '1234', documentUniqueId: '1.2.246.556.12001.4.93.1.1^6.1' }])).documentElement!;
    it('has the elements of the public body example (with HomeCommunityId) and its values', () => {
      const example = parseXml(readFileSync(path.join(soapDir, 'xca-retrieve-body-example.xml'), 'utf8')).documentElement!;
      expect([...paths(ours())].sort()).toEqual([...paths(example)].sort());
      const values = (root: Element) => children(children(root, 'DocumentRequest')[0]).map((c) => [c.localName, text(c)]);
      expect(values(ours())).toEqual(values(example));
    });
    it('contains every element of the retrieve template', () => {
      const tpl = parseSoapEnvelope(template('xca-retrieve-ps-template.xml')).payload!;
      const mine = paths(ours());
      for (const p of paths(tpl)) expect(mine).toContain(p);
    });
  });
});

describe('SAML assertions against the eHDSI assertion templates', () => {
  function compare(ourXml: string, file: string) {
    const ours = parseXml(ourXml).documentElement!;
    const tpl = parseXml(template(file)).documentElement!;
    return { ours, tpl };
  }
  const attrDefs = (root: Element) =>
    children(children(root, 'AttributeStatement')[0], 'Attribute').map((a) => ({ Name: attr(a, 'Name'), FriendlyName: attr(a, 'FriendlyName'), NameFormat: attr(a, 'NameFormat'), values: children(a, 'AttributeValue').length }));

  it('HCP identity assertion: same statements in the same order, same attributes, formats and Role/PurposeOfUse elements', () => {
    const { ours, tpl } = compare(buildHcpAssertion(identity, keys).xml, 'hcp-assertion-template.xml');
    expect(children(ours).filter((c) => !isSignature(c)).map(key)).toEqual(children(tpl).map(key));
    expect(attributes(ours).get('/Assertion/Issuer')).toEqual(attributes(tpl).get('/Assertion/Issuer'));
    const fixed = ['/Assertion/Subject/NameID', '/Assertion/Subject/SubjectConfirmation', '/Assertion/AttributeStatement/Attribute', '/Assertion/AttributeStatement/Attribute/AttributeValue/PurposeOfUse'];
    for (const p of fixed) expect({ p, a: attributes(ours).get(p) }).toEqual({ p, a: attributes(tpl).get(p) });
    // The ISCO display name follows the eHDSI value set ("Medical doctors"); the template capitalises it.
    const role = (root: Element) => {
      const r = { ...attributes(root).get('/Assertion/AttributeStatement/Attribute/AttributeValue/Role') };
      r.displayName = r.displayName?.toLowerCase();
      return r;
    };
    expect(role(ours)).toEqual(role(tpl));
    expect(attrDefs(ours)).toEqual(attrDefs(tpl));
    expect([...paths(ours, isSignature)].sort()).toEqual([...paths(tpl)].sort());
    expect(text(children(children(children(ours, 'AuthnStatement')[0], 'AuthnContext')[0], 'AuthnContextClassRef')[0])).toBe(
      text(children(children(children(tpl, 'AuthnStatement')[0], 'AuthnContext')[0], 'AuthnContextClassRef')[0]),
    );
  });

  it('TRC assertion: the template’s elements plus the x-border AudienceRestriction, same subject-id form', () => {
    const hcp = buildHcpAssertion(identity, keys);
    const trc = buildTrcAssertion({ patientId: DK_PATIENT, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: identity.subjectId } }, keys);
    const { ours, tpl } = compare(trc.xml, 'trc-assertion-template.xml');
    expect(children(ours).filter((c) => !isSignature(c)).map(key)).toEqual(children(tpl).map(key));
    const mine = paths(ours, isSignature);
    for (const p of paths(tpl)) expect(mine).toContain(p);
    expect([...mine].filter((p) => !paths(tpl).has(p)).map((p) => p.replace(/\{[^}]*\}/g, ''))).toEqual(['/Assertion/Conditions/AudienceRestriction', '/Assertion/Conditions/AudienceRestriction/Audience']);
    expect(attrDefs(ours).map(({ Name, NameFormat }) => ({ Name, NameFormat }))).toEqual(attrDefs(tpl).map(({ Name, NameFormat }) => ({ Name, NameFormat })));
    const subjectId = (root: Element) => text(children(children(children(root, 'AttributeStatement')[0], 'Attribute')[0], 'AttributeValue')[0]);
    expect(subjectId(ours)).toBe(subjectId(tpl));
    expect(attributes(ours).get('/Assertion/Issuer')).toEqual(attributes(tpl).get('/Assertion/Issuer'));
    expect(text(children(children(ours, 'Advice')[0], 'AssertionIDRef')[0])).toBe(hcp.id);
  });
});


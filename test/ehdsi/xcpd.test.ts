// Under test/ rather than beside src/ehdsi: these tests use the loopback stub gateway of test/helpers, and src never imports test/.
import { startStubGateway, type StubGateway } from '../helpers/stub-gateway.js';
import { buildEnvelope, parseSoapEnvelope } from '../../src/ehdsi/soap/envelope.js';
import { NS } from '../../src/ehdsi/soap/namespaces.js';
import { SoapClient } from '../../src/ehdsi/soap/client.js';
import { attr, child, children, descendants, parseXml, path, text } from '../../src/ehdsi/soap/xml.js';
import { discoverPatients, xcpdOutcomeError } from '../../src/ehdsi/xcpd/discover.js';
import { buildXcpdRequest, XcpdRequestError } from '../../src/ehdsi/xcpd/request.js';
import { parseXcpdResponse, XcpdResponseError } from '../../src/ehdsi/xcpd/response.js';

const FR_HCID = '1.3.6.1.4.1.48336';
const PT_HCID = '2.16.17.710.850.1000.990.1';
const PT_DOMAIN = '2.16.17.710.850.1000.990.1.1';

function patientXml(ext: string, given: string, family: string, prefix = ''): string {
  const p = prefix ? `${prefix}:` : '';
  return `<${p}subject typeCode="SUBJ"><${p}registrationEvent classCode="REG" moodCode="EVN"><${p}subject1 typeCode="SBJ"><${p}patient classCode="PAT">
    <${p}id root="${PT_DOMAIN}" extension="${ext}"/><${p}statusCode code="active"/>
    <${p}patientPerson classCode="PSN" determinerCode="INSTANCE">
      <${p}name><${p}given>${given}</${p}given><${p}given>Maria</${p}given><${p}family>${family}</${p}family></${p}name>
      <${p}administrativeGenderCode code="F"/><${p}birthTime value="19800203"/>
      <${p}addr><${p}streetAddressLine>Rua Augusta 10</${p}streetAddressLine><${p}city>Lisboa</${p}city><${p}postalCode>1100-053</${p}postalCode><${p}country>PT</${p}country></${p}addr>
    </${p}patientPerson></${p}patient></${p}subject1></${p}registrationEvent></${p}subject>`;
}

function responseXml(opts: { ack: string; query: string; subjects?: string; issues?: Array<[string, string]>; details?: string[]; prefix?: string }): string {
  const p = opts.prefix ? `${opts.prefix}:` : '';
  const xmlns = opts.prefix ? `xmlns:${opts.prefix}="urn:hl7-org:v3"` : 'xmlns="urn:hl7-org:v3"';
  const details = (opts.details ?? []).map((d) => `<${p}acknowledgementDetail typeCode="E"><${p}code code="${d}" codeSystem="1.3.6.1.4.1.12559.11.10.1.3.2.2.1"/><${p}text>detail ${d}</${p}text></${p}acknowledgementDetail>`).join('');
  const issues = (opts.issues ?? []).map(([code, system]) => `<${p}reasonOf typeCode="RSON"><${p}detectedIssueEvent classCode="ALRT" moodCode="EVN"><${p}code code="${code}" codeSystem="${system}"/></${p}detectedIssueEvent></${p}reasonOf>`).join('');
  return `<${p}PRPA_IN201306UV02 ${xmlns} ITSVersion="XML_1.0"><${p}id root="1.2.3"/><${p}interactionId extension="PRPA_IN201306UV02" root="2.16.840.1.113883.1.6"/>
    <${p}acknowledgement><${p}typeCode code="${opts.ack}"/><${p}targetMessage><${p}id root="x"/></${p}targetMessage>${details}</${p}acknowledgement>
    <${p}controlActProcess classCode="CACT" moodCode="EVN"><${p}code code="PRPA_TE201306UV02" codeSystem="2.16.840.1.113883.1.6"/>
    ${opts.subjects ?? ''}${issues}
    <${p}queryAck><${p}queryId root="q"/><${p}queryResponseCode code="${opts.query}"/></${p}queryAck></${p}controlActProcess></${p}PRPA_IN201306UV02>`;
}

describe('buildXcpdRequest', () => {
  const xml = buildXcpdRequest({
    country: 'pt',
    senderHomeCommunityId: FR_HCID,
    receiverHomeCommunityId: PT_HCID,
    traits: [{ domainOid: PT_DOMAIN, value: ' 123456789 ' }, { domainOid: '2.16.17.710.850.1000.990.1.2', value: 'A1' }],
    demographics: { given: 'Ana', family: 'Silva', birthDate: '1980-02-03', gender: 'female' },
    now: new Date('2026-03-01T10:11:12Z'),
  });
  const root = parseXml(xml).documentElement!;

  it('is a PRPA_IN201305UV02 in the HL7 v3 namespace with the fixed header values of XCPD (docs/references.md)', () => {
    expect(root.localName).toBe('PRPA_IN201305UV02');
    expect(descendants(root, 'queryByParameter')[0].namespaceURI).toBe(NS.hl7);
    expect(attr(child(root, 'creationTime'), 'value')).toBe('20260301101112');
    expect([attr(child(root, 'interactionId'), 'extension'), attr(child(root, 'interactionId'), 'root')]).toEqual(['PRPA_IN201305UV02', '2.16.840.1.113883.1.6']);
    expect(attr(child(root, 'processingCode'), 'code')).toBe('P');
    expect(attr(child(root, 'processingModeCode'), 'code')).toBe('T');
    expect(attr(child(root, 'acceptAckCode'), 'code')).toBe('AL');
    expect(attr(path(root, 'receiver', 'device', 'id'), 'root')).toBe(PT_HCID);
    expect(attr(path(root, 'receiver', 'device', 'asAgent', 'representedOrganization', 'id'), 'root')).toBe(PT_HCID);
    expect(attr(path(root, 'sender', 'device', 'id'), 'root')).toBe(FR_HCID);
    expect(attr(path(root, 'controlActProcess', 'code'), 'code')).toBe('PRPA_TE201305UV02');
  });

  it('puts one livingSubjectId per trait, then the demographics, and the country', () => {
    const list = path(root, 'controlActProcess', 'queryByParameter', 'parameterList')!;
    expect(children(list).map((e) => e.localName)).toEqual([
      'livingSubjectAdministrativeGender', 'livingSubjectBirthTime', 'livingSubjectId', 'livingSubjectId', 'livingSubjectName', 'patientAddress',
    ]);
    expect(children(list, 'livingSubjectId').map((l) => [attr(child(l, 'value'), 'root'), attr(child(l, 'value'), 'extension')])).toEqual([
      [PT_DOMAIN, '123456789'], ['2.16.17.710.850.1000.990.1.2', 'A1'],
    ]);
    expect(attr(path(list, 'livingSubjectAdministrativeGender', 'value'), 'code')).toBe('F');
    expect(attr(path(list, 'livingSubjectBirthTime', 'value'), 'value')).toBe('19800203');
    expect(text(path(list, 'livingSubjectName', 'value', 'family'))).toBe('Silva');
    expect(text(path(list, 'patientAddress', 'value', 'country'))).toBe('PT');
  });

  it('refuses a query without any identifier and a malformed birth date', () => {
    expect(() => buildXcpdRequest({ country: 'PT', senderHomeCommunityId: FR_HCID, receiverHomeCommunityId: PT_HCID, traits: [{ domainOid: PT_DOMAIN, value: '  ' }] })).toThrow(XcpdRequestError);
    expect(() => buildXcpdRequest({ country: 'PT', senderHomeCommunityId: FR_HCID, receiverHomeCommunityId: PT_HCID, traits: [{ domainOid: PT_DOMAIN, value: '1' }], demographics: { birthDate: '03/02/1980' } })).toThrow(XcpdRequestError);
  });

  it('escapes values rather than letting them inject XML', () => {
    const x = buildXcpdRequest({ country: 'PT', senderHomeCommunityId: FR_HCID, receiverHomeCommunityId: PT_HCID, traits: [{ domainOid: PT_DOMAIN, value: '1"/><evil/>' }], demographics: { family: '<b>&' } });
    const list = descendants(parseXml(x).documentElement!, 'parameterList')[0];
    expect(attr(path(list, 'livingSubjectId', 'value'), 'extension')).toBe('1"/><evil/>');
    expect(descendants(list, 'evil')).toHaveLength(0);
    expect(text(path(list, 'livingSubjectName', 'value', 'family'))).toBe('<b>&');
  });
});

describe('parseXcpdResponse', () => {
  it('reads a match (identifier, names, gender, birth date, address), whatever the prefix', () => {
    const outcome = parseXcpdResponse(responseXml({ ack: 'AA', query: 'OK', subjects: patientXml('123456789', 'Ana', 'Silva', 'hl7'), prefix: 'hl7' }));
    expect(outcome).toEqual({
      kind: 'matches',
      ackDetails: [],
      patients: [{
        id: { root: PT_DOMAIN, extension: '123456789' },
        otherIds: [],
        names: [{ family: ['Silva'], given: ['Ana', 'Maria'], prefix: [], use: undefined }],
        gender: 'female',
        birthDate: '1980-02-03',
        addresses: [{ lines: ['Rua Augusta 10'], city: 'Lisboa', postalCode: '1100-053', state: undefined, country: 'PT' }],
      }],
    });
  });

  it('returns several matches as several patients', () => {
    const outcome = parseXcpdResponse(buildEnvelope({ action: 'a', relatesTo: 'r', bodyXml: responseXml({ ack: 'AA', query: 'OK', subjects: patientXml('1', 'Ana', 'Silva') + patientXml('2', 'Ana', 'Sousa') }) }));
    expect(outcome.kind === 'matches' && outcome.patients.map((p) => p.id.extension)).toEqual(['1', '2']);
  });

  it('reads the envelope the SOAP client parsed as it reads the same text', () => {
    const envelope = buildEnvelope({ action: 'a', relatesTo: 'r', bodyXml: responseXml({ ack: 'AA', query: 'OK', subjects: patientXml('1', 'Ana', 'Silva') }) });
    expect(parseXcpdResponse(parseSoapEnvelope(envelope))).toEqual(parseXcpdResponse(envelope));
    expect(() => parseXcpdResponse(parseSoapEnvelope(buildEnvelope({ action: 'a', bodyXml: '<other/>' })))).toThrow(XcpdResponseError);
  });

  it('reads NF + AnswerNotAvailable as no match', () => {
    const outcome = parseXcpdResponse(responseXml({ ack: 'AA', query: 'NF', issues: [['AnswerNotAvailable', '1.3.6.1.4.1.19376.1.2.27.3']], details: ['ERROR_PI_NO_MATCH'] }));
    expect(outcome.kind).toBe('no-match');
  });

  it('reads AE with detectedIssueEvent codes and acknowledgementDetail as an error', () => {
    const outcome = parseXcpdResponse(responseXml({ ack: 'AE', query: 'AE', issues: [['AdditionalDemographicsRequested', '1.3.6.1.4.1.12559.11.10.1.3.2.2.1']], details: ['ERROR_PI_GENERIC'] }));
    expect(outcome).toEqual({
      kind: 'error',
      ackTypeCode: 'AE',
      queryResponseCode: 'AE',
      issues: [{ code: 'AdditionalDemographicsRequested', codeSystem: '1.3.6.1.4.1.12559.11.10.1.3.2.2.1', text: undefined }],
      ackDetails: [{ code: 'ERROR_PI_GENERIC', codeSystem: '1.3.6.1.4.1.12559.11.10.1.3.2.2.1', typeCode: 'E', text: 'detail ERROR_PI_GENERIC' }],
    });
    if (outcome.kind !== 'error') throw new Error('unreachable');
    expect(xcpdOutcomeError(outcome, 'PT')).toMatchObject({ code: 'AdditionalDemographicsRequested', country: 'PT', transaction: 'xcpd' });
    const multiple = parseXcpdResponse(responseXml({ ack: 'AE', query: 'AE', details: ['ERROR_PI_MULTIPLE_MATCHES'] }));
    if (multiple.kind !== 'error') throw new Error('expected an error outcome');
    expect(xcpdOutcomeError(multiple, 'PT').code).toBe('ERROR_PI_MULTIPLE_MATCHES');
  });

  it('refuses what is not a PRPA_IN201306UV02, and hostile XML', () => {
    expect(() => parseXcpdResponse('<PRPA_IN201305UV02 xmlns="urn:hl7-org:v3"/>')).toThrow(XcpdResponseError);
    expect(() => parseXcpdResponse('<!DOCTYPE x [<!ENTITY a "b">]><PRPA_IN201306UV02/>')).toThrow(XcpdResponseError);
    expect(() => parseXcpdResponse('<PRPA_IN201306UV02 xmlns="urn:hl7-org:v3"><id root="1"/></PRPA_IN201306UV02>')).toThrow(XcpdResponseError);
  });
});

describe('discoverPatients', () => {
  let stub: StubGateway;
  let reply = '';
  const client = new SoapClient({ timeoutMs: 2000 });
  beforeAll(async () => {
    stub = await startStubGateway((_body, res) => res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(reply));
  });
  afterAll(async () => {
    client.close();
    await stub.close();
  });

  it('sends the ITI-55 action with the HCP assertion only and returns the outcome', async () => {
    reply = buildEnvelope({ action: 'urn:hl7-org:v3:PRPA_IN201306UV02:CrossGatewayPatientDiscovery', bodyXml: responseXml({ ack: 'AA', query: 'OK', subjects: patientXml('9', 'Ana', 'Silva') }) });
    const endpoint = `${stub.url}/xcpd`;
    const hcp = '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_h"/>';
    const outcome = await discoverPatients(client, { country: 'PT', endpoint, homeCommunityId: PT_HCID }, [{ domainOid: PT_DOMAIN, value: '9' }], undefined, hcp, { senderHomeCommunityId: FR_HCID });
    expect(outcome.kind === 'matches' && outcome.patients[0].id).toEqual({ root: PT_DOMAIN, extension: '9' });
    const sent = parseSoapEnvelope(stub.lastBody);
    expect(sent.action).toBe('urn:hl7-org:v3:PRPA_IN201305UV02:CrossGatewayPatientDiscovery');
    expect(children(sent.security, 'Assertion')).toHaveLength(1);
    expect(sent.payload?.localName).toBe('PRPA_IN201305UV02');
  });

  it('turns an unreadable answer into a malformed gateway error naming the country', async () => {
    reply = buildEnvelope({ action: 'x', bodyXml: '<other xmlns="urn:x"/>' });
    const endpoint = `${stub.url}/xcpd`;
    await expect(discoverPatients(client, { country: 'PT', endpoint, homeCommunityId: PT_HCID }, [{ domainOid: PT_DOMAIN, value: '9' }], undefined, '<a/>', { senderHomeCommunityId: FR_HCID }))
      .rejects.toMatchObject({ name: 'GatewayError', kind: 'malformed', country: 'PT' });
  });
});

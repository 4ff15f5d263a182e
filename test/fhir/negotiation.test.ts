import request from 'supertest';
import { SaxesParser } from 'saxes';
import { testApp } from '../helpers/test-app.js';

const app = testApp();

function wellFormed(xml: string): string {
  const parser = new SaxesParser({ xmlns: true });
  let root = '';
  parser.on('opentag', (t) => {
    if (!root) root = `${t.uri}|${t.local}`;
  });
  parser.write(xml).close();
  return root;
}

describe('content negotiation', () => {
  test('JSON by default', async () => {
    const res = await request(app).get('/fhir/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(res.body.resourceType).toBe('CapabilityStatement');
  });

  test.each([
    ['application/fhir+xml', 'xml'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['application/fhir+json', 'json'],
    ['application/json', 'json'],
    ['*/*', 'json'],
    ['text/html;q=0.9, application/fhir+xml;q=1.0', 'xml'],
    ['application/fhir+json;q=0.2, application/fhir+xml;q=0.8', 'xml'],
  ])('Accept %s gives %s', async (accept, format) => {
    const res = await request(app).get('/fhir/metadata').set('Accept', accept);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain(format === 'xml' ? 'application/fhir+xml' : 'application/fhir+json');
  });

  test.each(['xml', 'application/fhir+xml', 'application/xml', 'text/xml'])('_format=%s gives XML, overriding Accept', async (f) => {
    const res = await request(app).get('/fhir/metadata').query({ _format: f }).set('Accept', 'application/fhir+json');
    expect(res.headers['content-type']).toContain('application/fhir+xml');
    expect(wellFormed(res.text)).toBe('http://hl7.org/fhir|CapabilityStatement');
  });

  test('406 when nothing acceptable can be served, as JSON OperationOutcome', async () => {
    const res = await request(app).get('/fhir/metadata').set('Accept', 'text/html');
    expect(res.status).toBe(406);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].code).toBe('not-supported');
  });

  test('406 for an unknown _format', async () => {
    const res = await request(app).get('/fhir/metadata?_format=yaml');
    expect(res.status).toBe(406);
  });

  test('_pretty indents JSON and XML', async () => {
    const json = await request(app).get('/fhir/Basic/b1?_pretty=true');
    expect(json.text).toContain('\n  "resourceType"');
    const xml = await request(app).get('/fhir/Basic/b1?_pretty=true&_format=xml');
    expect(xml.text.split('\n').length).toBeGreaterThan(3);
    expect(wellFormed(xml.text)).toBe('http://hl7.org/fhir|Basic');
    const compact = await request(app).get('/fhir/Basic/b1');
    expect(compact.text).not.toContain('\n');
  });

  test('errors follow the requested format', async () => {
    const res = await request(app).get('/fhir/Foo').set('Accept', 'application/fhir+xml');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/fhir+xml');
    expect(wellFormed(res.text)).toBe('http://hl7.org/fhir|OperationOutcome');
  });

  test('a binary is served raw when asked, as a FHIR Binary otherwise', async () => {
    const pdf = await request(app).get('/fhir/Binary/x1').set('Accept', 'application/pdf').buffer(true);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(Buffer.from(pdf.body as Buffer).toString('latin1')).toMatch(/^%PDF-/);
    const fhir = await request(app).get('/fhir/Binary/x1').set('Accept', 'application/fhir+json');
    expect(fhir.body.resourceType).toBe('Binary');
    expect(fhir.body.contentType).toBe('application/pdf');
    expect(Buffer.from(fhir.body.data, 'base64').toString('latin1')).toMatch(/^%PDF-/);
    const xml = await request(app).get('/fhir/Binary/x1?_format=xml');
    expect(wellFormed(xml.text)).toBe('http://hl7.org/fhir|Binary');
  });
});

describe('FHIR XML', () => {
  test('resources are serialised in definition order with value attributes and xhtml narrative', async () => {
    const body = {
      resourceType: 'Basic',
      code: { text: 'Écho' },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Texte &amp; accents é</p></div>' },
      id: 'ignored',
      created: '2024-01-02',
      _created: { extension: [{ url: 'http://example.org/ext', valueString: 'précis' }] },
    };
    const res = await request(app).post('/fhir/Basic/$echo').set('Content-Type', 'application/fhir+json').set('Accept', 'application/fhir+xml').send(JSON.stringify(body));
    expect(res.status).toBe(200);
    const xml = res.text;
    expect(wellFormed(xml)).toBe('http://hl7.org/fhir|Basic');
    // id, text, code, created: the order of the Basic definition, not of the JSON input
    const order = ['<id ', '<text>', '<code>', '<created '].map((t) => xml.indexOf(t));
    expect(order.every((p) => p >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(xml).toContain('<created value="2024-01-02"><extension url="http://example.org/ext"><valueString value="précis"/></extension></created>');
    expect(xml).toContain('<div xmlns="http://www.w3.org/1999/xhtml"><p>Texte &amp; accents é</p></div>');
  });

  test('XML request bodies are parsed into the same resource', async () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><Basic xmlns="http://hl7.org/fhir"><code><text value="Écho"/></code>'
      + '<created value="2024-01-02"><extension url="http://example.org/ext"><valueString value="x"/></extension></created></Basic>';
    const res = await request(app).post('/fhir/Basic/$echo').set('Content-Type', 'application/fhir+xml').send(xml);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      resourceType: 'Basic', code: { text: 'Écho' }, created: '2024-01-02',
      _created: { extension: [{ url: 'http://example.org/ext', valueString: 'x' }] },
    });
  });

  test('XML round trip through create and read', async () => {
    const xml = '<Basic xmlns="http://hl7.org/fhir"><code><coding><system value="http://loinc.org"/><code value="60591-5"/></coding><text value="Résumé"/></code></Basic>';
    const created = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+xml').set('Accept', 'application/fhir+xml').send(xml);
    expect(created.status).toBe(201);
    expect(created.headers.location).toMatch(/\/fhir\/Basic\/b\d+$/);
    const read = await request(app).get(new URL(created.headers.location).pathname).set('Accept', 'application/fhir+json');
    expect(read.body.code).toEqual({ coding: [{ system: 'http://loinc.org', code: '60591-5' }], text: 'Résumé' });
  });
});

import request from 'supertest';
import { testApp } from '../helpers/test-app.js';

const app = testApp({ maxBodyBytes: 8 * 1024 });

function expectOutcome(res: request.Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/fhir\+(json|xml)/);
  if (res.headers['content-type'].includes('json')) {
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue.length).toBeGreaterThan(0);
    if (code) expect(res.body.issue[0].code).toBe(code);
  }
}

describe('OperationOutcome for every error', () => {
  test('unknown resource type → 404', async () => {
    expectOutcome(await request(app).get('/fhir/Foo'), 404, 'not-found');
  });
  test('R4 type this server does not serve → 404', async () => {
    const res = await request(app).get('/fhir/Observation');
    expectOutcome(res, 404, 'not-found');
    expect(res.body.issue[0].diagnostics).toContain('not supported');
  });
  test('unknown route outside /fhir → 404 OperationOutcome', async () => {
    expectOutcome(await request(app).get('/nothing/here'), 404);
  });
  test('unknown operation → 404', async () => {
    expectOutcome(await request(app).get('/fhir/Basic/$nope'), 404);
  });
  test('unsupported method → 405 with Allow', async () => {
    const res = await request(app).delete('/fhir/Basic/b1');
    expectOutcome(res, 405, 'not-supported');
    expect(res.headers.allow).toBe('GET, PUT');
    const op = await request(app).get('/fhir/Basic/b1/$touch');
    expectOutcome(op, 405);
    expect(op.headers.allow).toBe('POST');
    expectOutcome(await request(app).post('/fhir/metadata'), 405);
  });
  test('malformed JSON → 400', async () => {
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json').send('{"resourceType": "Basic",');
    expectOutcome(res, 400, 'structure');
    expect(res.body.issue[0].diagnostics).toMatch(/Malformed JSON/);
  });
  test('malformed XML → 400', async () => {
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+xml').send('<Basic xmlns="http://hl7.org/fhir"><code>');
    expectOutcome(res, 400, 'structure');
  });
  test('XML with a DTD or entities → 400, nothing expanded', async () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><Basic xmlns="http://hl7.org/fhir"><code><text value="&b;"/></code></Basic>';
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+xml').send(xml);
    expectOutcome(res, 400);
    expect(res.body.issue[0].diagnostics).toMatch(/DOCTYPE/);
  });
  test('XML element unknown to R4 → 400 naming it', async () => {
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+xml')
      .send('<Basic xmlns="http://hl7.org/fhir"><code><text value="x"/></code><colour value="red"/></Basic>');
    expectOutcome(res, 400);
    expect(res.body.issue[0].diagnostics).toContain('colour');
  });
  test('XML outside the FHIR namespace → 400', async () => {
    expectOutcome(await request(app).post('/fhir/Basic').set('Content-Type', 'application/xml').send('<Basic><code/></Basic>'), 400);
  });
  test('unsupported media type → 415', async () => {
    expectOutcome(await request(app).post('/fhir/Basic').set('Content-Type', 'text/plain').send('hello'), 415, 'not-supported');
    expectOutcome(await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json; charset=iso-8859-1').send('{}'), 415);
  });
  test('body too large → 413', async () => {
    const big = JSON.stringify({ resourceType: 'Basic', code: { text: 'x'.repeat(20_000) } });
    expectOutcome(await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json').send(big), 413, 'too-costly');
  });
  test('invalid resource → 400 with the failing path in issue.expression', async () => {
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Basic', code: { text: 3 }, colour: 'red' }));
    expectOutcome(res, 400);
    const expressions = res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
    expect(expressions).toEqual(expect.arrayContaining(['Basic.code.text', 'Basic.colour']));
  });
  test('missing required element → 400 naming it', async () => {
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Basic' }));
    expectOutcome(res, 400);
    expect(res.body.issue[0].expression).toEqual(['Basic.code']);
  });
  test('resource of the wrong type for the URL → 400', async () => {
    const res = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Patient' }));
    expectOutcome(res, 400);
  });
  test('update with an id different from the URL → 400', async () => {
    const res = await request(app).put('/fhir/Basic/b1').set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Basic', id: 'b2', code: { text: 'x' } }));
    expectOutcome(res, 400);
  });
  test('invalid id → 400', async () => {
    expectOutcome(await request(app).get('/fhir/Basic/' + 'x'.repeat(65)), 400);
    expectOutcome(await request(app).get('/fhir/Basic/a_b'), 400);
  });
  test('strict search handling refuses unknown parameters, lenient ignores them', async () => {
    expectOutcome(await request(app).get('/fhir/Basic?colour=red').set('Prefer', 'handling=strict'), 400, 'not-supported');
    expect((await request(app).get('/fhir/Basic?colour=red')).status).toBe(200);
    expect((await request(app).get('/fhir/Basic?code=première').set('Prefer', 'handling=strict')).status).toBe(200);
  });
  test('a bug in a handler → 500 OperationOutcome that leaks nothing', async () => {
    const res = await request(app).get('/fhir/Basic/$crash');
    expectOutcome(res, 500, 'exception');
    expect(JSON.stringify(res.body)).not.toContain('a bug in a handler');
  });
});

describe('no request of any shape gets a 500', () => {
  const cases: Array<[string, string, string | undefined, string | Buffer | undefined]> = [
    ['GET', '/fhir/%E0%A4%A', undefined, undefined],
    ['GET', '/fhir/Basic/%00', undefined, undefined],
    ['GET', '/fhir/' + 'A'.repeat(500), undefined, undefined],
    ['GET', '/fhir/Basic/b1/$touch/extra/segments', undefined, undefined],
    ['GET', '/fhir/Basic/_history', undefined, undefined],
    ['GET', '/fhir/Basic?_count=-1&_count=abc&code=%FF', undefined, undefined],
    ['GET', '/fhir/metadata?_format[]=x', undefined, undefined],
    ['GET', '/fhir/metadata?_format=xml&_format=json', undefined, undefined],
    ['POST', '/fhir/Basic', 'application/fhir+json', ''],
    ['POST', '/fhir/Basic', 'application/fhir+json', 'null'],
    ['POST', '/fhir/Basic', 'application/fhir+json', '[]'],
    ['POST', '/fhir/Basic', 'application/fhir+json', '"Basic"'],
    ['POST', '/fhir/Basic', 'application/fhir+json', '{"resourceType": 42}'],
    ['POST', '/fhir/Basic', 'application/fhir+json', '{"resourceType": "__proto__"}'],
    ['POST', '/fhir/Basic', 'application/fhir+json', '{"__proto__": {"polluted": true}, "resourceType": "Basic", "code": {}}'],
    ['POST', '/fhir/Basic', 'application/fhir+json', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]'],
    ['POST', '/fhir/Basic', 'application/fhir+json', Buffer.from([0xff, 0xfe, 0x00, 0x7b])],
    ['POST', '/fhir/Basic', 'application/fhir+xml', '<'],
    ['POST', '/fhir/Basic', 'application/fhir+xml', '<?xml version="1.0"?>'],
    ['POST', '/fhir/Basic', 'application/fhir+xml', '<Basic xmlns="http://hl7.org/fhir"><code><text value="x"/></code></Basic><Basic/>'],
    ['POST', '/fhir/Basic', 'application/fhir+xml', '<Nope xmlns="http://hl7.org/fhir"/>'],
    ['POST', '/fhir/Basic', 'application/fhir+xml', '<Basic xmlns="http://hl7.org/fhir"><code><text value="x"/></code>' + '<extension url="u">'.repeat(400) + '</Basic>'],
    ['POST', '/fhir/Basic', 'application/fhir+xml', '<Basic xmlns="http://hl7.org/fhir"><code><text value="x"/></code><created value="not a date"/></Basic>'],
    ['POST', '/fhir/Basic', 'multipart/form-data; boundary=x', '--x--'],
    ['POST', '/fhir/Basic', undefined, '{"resourceType":"Basic"}'],
    ['POST', '/fhir/Basic/_search', 'application/json', '{}'],
    ['POST', '/fhir/Basic/$echo', 'application/fhir+json', '{'],
    ['PUT', '/fhir/Basic', 'application/fhir+json', '{}'],
    ['PATCH', '/fhir/Basic/b1', 'application/json-patch+json', '[]'],
    ['DELETE', '/fhir/metadata', undefined, undefined],
    ['OPTIONS', '/fhir/Basic', undefined, undefined],
    ['POST', '/fhir', 'application/fhir+json', '{"resourceType":"Bundle","type":"batch"}'],
    ['GET', '/fhir/$everything', undefined, undefined],
  ];
  test.each(cases)('%s %s (%s)', async (method, path, contentType, body) => {
    let req = request(app)[method.toLowerCase() as 'get'](path);
    if (contentType) req = req.set('Content-Type', contentType);
    const res = body === undefined ? await req : await req.send(body);
    expect(res.status).toBeLessThan(500);
    // bodies are always refused here; odd GETs may legitimately succeed (lenient search)
    if (body !== undefined) expect(res.status).toBeGreaterThanOrEqual(400);
    if (res.status >= 400) expect(res.body.resourceType).toBe('OperationOutcome');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

test('a broken body is a 400 even when posted to a type the server does not serve', async () => {
  expectOutcome(await request(app).post('/fhir/Foo').set('Content-Type', 'application/fhir+json').send('{bad'), 400, 'structure');
  expectOutcome(await request(app).post('/fhir/Patient').set('Content-Type', 'application/fhir+xml').send('<Patient xmlns="http://hl7.org/fhir">'), 400, 'structure');
  expectOutcome(await request(app).post('/fhir/Foo').set('Content-Type', 'application/fhir+json').send('{"resourceType":"Basic"}'), 404);
});

import request from 'supertest';
import { memoryLogger, testApp } from '../helpers/test-app.js';

test('one structured line per request, with id, method, route pattern, status, duration — and no values', async () => {
  const { logger, lines } = memoryLogger();
  const app = testApp({ logger });
  const res = await request(app).get('/fhir/Basic/b1?code=SECRET-VALUE-157601853');
  expect(res.status).toBe(200);
  const requestId = res.headers['x-request-id'];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json').send(JSON.stringify({ resourceType: 'Basic', code: { text: 'BODY-SECRET' } }));
  // The line is written on the response's 'finish', which may come just after the client has read it.
  for (let i = 0; i < 50 && lines().filter((l) => l.msg === 'request').length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  const logged = lines().filter((l) => l.msg === 'request');
  expect(logged).toHaveLength(2);
  expect(logged[0]).toMatchObject({ reqId: requestId, method: 'GET', route: '/fhir/Basic/{id}', status: 200 });
  expect(typeof logged[0].durationMs).toBe('number');
  expect(logged[1]).toMatchObject({ method: 'POST', route: '/fhir/Basic', status: 201 });
  const all = JSON.stringify(lines());
  expect(all).not.toContain('SECRET');
  expect(all).not.toContain('157601853');
  // the resource id, as a value or in a path (a bare "b1" can occur inside a random request id)
  expect(all).not.toContain('"b1"');
  expect(all).not.toContain('Basic/b1');
});

test('a caller-provided safe X-Request-Id is kept, an unsafe one replaced', async () => {
  const app = testApp();
  expect((await request(app).get('/fhir/metadata').set('X-Request-Id', 'abc-12345-xyz')).headers['x-request-id']).toBe('abc-12345-xyz');
  expect((await request(app).get('/fhir/metadata').set('X-Request-Id', 'bad id <script>')).headers['x-request-id']).not.toContain('<');
});

import request from 'supertest';
import { testApp } from '../helpers/test-app.js';

const app = testApp();

describe('_elements and _summary', () => {
  test('_elements keeps the listed and mandatory elements and tags the result SUBSETTED', async () => {
    const created = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Basic', code: { text: 'c' }, created: '2024-01-01', author: { display: 'A' } }));
    const path = new URL(created.headers.location).pathname;
    const res = await request(app).get(`${path}?_elements=created`);
    expect(res.body.created).toBe('2024-01-01');
    expect(res.body.code).toEqual({ text: 'c' }); // mandatory in Basic
    expect(res.body.author).toBeUndefined();
    expect(res.body.meta.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
  });
  test('_summary=count on a search returns the total without entries', async () => {
    const res = await request(app).get('/fhir/Basic?_summary=count');
    expect(res.body.resourceType).toBe('Bundle');
    expect(typeof res.body.total).toBe('number');
    expect(res.body.entry).toBeUndefined();
  });
  test('an unknown _summary value is refused', async () => {
    const res = await request(app).get('/fhir/Basic/b1?_summary=maybe');
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['_summary']);
  });
  test('_summary=data drops the narrative', async () => {
    const created = await request(app).post('/fhir/Basic').set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Basic', code: { text: 'c' }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }));
    const res = await request(app).get(`${new URL(created.headers.location).pathname}?_summary=data`);
    expect(res.body.text).toBeUndefined();
    expect(res.body.code).toEqual({ text: 'c' });
  });
});

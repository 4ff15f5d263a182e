import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ConformanceResources } from '../../src/fhir/conformance-resources.js';
import { registerConformanceReads } from '../../src/fhir/interactions/conformance-read.js';
import { HandlerRegistry } from '../../src/fhir/registry.js';
import { testApp } from '../helpers/test-app.js';

function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'conf-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const searchParameter = {
  resourceType: 'SearchParameter', id: 'example-sp', url: 'http://example.org/SearchParameter/example-sp', name: 'example', status: 'active',
  description: 'x', code: 'example', base: ['Patient'], type: 'token',
};

test('definitions in conformance/ are served and listed in the CapabilityStatement', async () => {
  const registry = new HandlerRegistry();
  registerConformanceReads(registry, ConformanceResources.load(folderWith({ 'SearchParameter/example.json': searchParameter })));
  const app = testApp({ registry });
  const res = await request(app).get('/fhir/SearchParameter/example-sp');
  expect(res.status).toBe(200);
  expect(res.body.url).toBe(searchParameter.url);
  expect((await request(app).get('/fhir/SearchParameter/other')).status).toBe(404);
  const cs = (await request(app).get('/fhir/metadata')).body;
  expect(cs.rest[0].resource.map((r: { type: string }) => r.type)).toEqual(['SearchParameter']);
});

test('a broken definition file stops the load with its name', () => {
  expect(() => ConformanceResources.load(folderWith({ 'SearchParameter/bad.json': { ...searchParameter, type: 'colour' } }))).toThrow(/bad\.json/);
  expect(() => ConformanceResources.load(folderWith({ 'OperationDefinition/x.json': '{' }))).toThrow(/x\.json: not JSON/);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Client } from 'fhir-kit-client';
import { testApp, testRegistry } from '../helpers/test-app.js';
import { validateResource } from '../../src/fhir/validation.js';
import { loadConfig } from '../../src/config/config.js';
import { startServices, type RunningServices } from '../../src/app-services.js';
import { packageInfo } from '../../src/util/project.js';

const app = testApp();

interface CsResource {
  type: string;
  interaction?: { code: string }[];
  operation?: { name: string; definition: string }[];
  searchParam?: { name: string }[];
}

/** The request that exercises one declared capability. */
function probe(type: string, what: string): { method: 'get' | 'post' | 'put'; path: string; body?: string } {
  switch (what) {
    case 'read': return { method: 'get', path: `/fhir/${type}/b1` };
    case 'search-type': return { method: 'get', path: `/fhir/${type}` };
    case 'create': return { method: 'post', path: `/fhir/${type}`, body: JSON.stringify({ resourceType: type, code: { text: 'x' } }) };
    case 'update': return { method: 'put', path: `/fhir/${type}/b1`, body: JSON.stringify({ resourceType: type, id: 'b1', code: { text: 'x' } }) };
    default: throw new Error(what);
  }
}

describe('CapabilityStatement generated from the registry', () => {
  test('it lists exactly the registered interactions, search parameters and operations', async () => {
    const registry = testRegistry();
    const res = await request(testApp({ registry })).get('/fhir/metadata');
    const listed = new Set<string>();
    for (const r of res.body.rest[0].resource as CsResource[]) {
      for (const i of r.interaction ?? []) listed.add(`${r.type} ${i.code}`);
      for (const o of r.operation ?? []) listed.add(`${r.type} $${o.name}`);
      for (const p of r.searchParam ?? []) listed.add(`${r.type} ?${p.name}`);
    }
    const registered = new Set<string>();
    for (const e of registry.all()) {
      registered.add(e.interaction === 'operation' ? `${e.resourceType} $${e.operation!.name}` : `${e.resourceType} ${e.interaction}`);
      for (const p of e.searchParams ?? []) registered.add(`${e.resourceType} ?${p.name}`);
    }
    expect([...listed].sort()).toEqual([...registered].sort());
  });

  test('everything listed works: no listed interaction answers 404 or 405', async () => {
    const cs = (await request(app).get('/fhir/metadata')).body;
    let probed = 0;
    for (const r of cs.rest[0].resource as CsResource[]) {
      for (const i of r.interaction ?? []) {
        if (r.type === 'Binary') continue; // probed below with its own media type
        const p = probe(r.type, i.code);
        let req = request(app)[p.method](p.path);
        if (p.body) req = req.set('Content-Type', 'application/fhir+json').send(p.body);
        const res = await req;
        expect([r.type, i.code, res.status]).toEqual([r.type, i.code, expect.any(Number)]);
        expect(res.status).toBeLessThan(400);
        probed++;
      }
    }
    expect((await request(app).get('/fhir/Binary/x').set('Accept', 'application/pdf')).status).toBe(200);
    expect(probed).toBeGreaterThanOrEqual(4);
  });

  test('nothing that is not listed works: every other interaction answers 404 or 405', async () => {
    const cs = (await request(app).get('/fhir/metadata')).body;
    const types = new Set((cs.rest[0].resource as CsResource[]).map((r) => r.type));
    // Types not listed are refused whatever the interaction.
    for (const type of ['Patient', 'Observation', 'Consent']) {
      expect(types.has(type)).toBe(false);
      for (const [m, path] of [['get', `/fhir/${type}`], ['get', `/fhir/${type}/x1`], ['post', `/fhir/${type}`], ['get', `/fhir/${type}/$summary`]] as const) {
        expect([404, 405]).toContain((await request(app)[m](path)).status);
      }
    }
    // Listed types refuse the interactions they do not list.
    const basic = (cs.rest[0].resource as CsResource[]).find((r) => r.type === 'Basic')!;
    const codes = new Set(basic.interaction!.map((i) => i.code));
    expect(codes.has('delete')).toBe(false);
    expect((await request(app).delete('/fhir/Basic/b1')).status).toBe(405);
    expect((await request(app).post('/fhir/Basic/$nothing')).status).toBe(404);
  });

  test('the JSON form validates against the FHIR R4 schema and names the software from package.json', async () => {
    const cs = (await request(app).get('/fhir/metadata')).body;
    expect(validateResource(cs)).toEqual([]);
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.software).toEqual(packageInfo());
    expect(cs.format).toEqual(['application/fhir+json', 'application/fhir+xml']);
  });
});

describe('against a listening server', () => {
  let services: RunningServices;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'capability-'));
    services = await startServices(loadConfig({}, { port: 0, logLevel: 'silent', dataDir, 'auth.devIdp.port': 0, 'simulator.port': 0 }));
  });
  afterAll(async () => {
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('fhir-kit-client reads the CapabilityStatement', async () => {
    const client = new Client({ baseUrl: `${services.url}/fhir` });
    const cs = await client.capabilityStatement() as unknown as fhir4.CapabilityStatement;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
  });

  test('health and readiness answer', async () => {
    expect((await fetch(`${services.url}/health`)).status).toBe(200);
    const ready = await fetch(`${services.url}/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
  });

  test('XML metadata is well-formed FHIR XML', async () => {
    const res = await fetch(`${services.url}/fhir/metadata`, { headers: { Accept: 'application/fhir+xml' } });
    expect(res.headers.get('content-type')).toContain('application/fhir+xml');
    const text = await res.text();
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><CapabilityStatement xmlns="http:\/\/hl7.org\/fhir">/);
    expect(text).toContain('<fhirVersion value="4.0.1"/>');
  });
});

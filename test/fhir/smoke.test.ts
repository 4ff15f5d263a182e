import request from 'supertest';
import * as oidc from 'openid-client';
import { HandlerRegistry } from '../../src/fhir/registry.js';
import { createApp } from '../../src/server.js';
import { createLogger } from '../../src/logging/logger.js';

test('ESM-only libraries load under jest', () => {
  expect(typeof oidc.discovery).toBe('function');
});

test('metadata answers', async () => {
  const app = createApp({ registry: new HandlerRegistry(), logger: createLogger('silent'), maxBodyBytes: 1e6 });
  const res = await request(app).get('/fhir/metadata');
  expect(res.status).toBe(200);
  expect(res.body.resourceType).toBe('CapabilityStatement');
});

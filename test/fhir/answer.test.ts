/**
 * The single place where an answer's final status is known: the hooks a
 * handler registers (the audit records) and the observer run with the status
 * the client actually gets — also when something fails after the handler —
 * before the answer is sent; when they fail, nothing is served (503).
 */
import request from 'supertest';
import type { AnsweredRequest } from '../../src/fhir/answer.js';
import { FhirError } from '../../src/kernel/errors.js';
import { HandlerRegistry } from '../../src/fhir/registry.js';
import { createLogger } from '../../src/logging/logger.js';
import { createApp } from '../../src/server.js';

function appWith(handlerResult: () => Promise<unknown>, opts: { failingHook?: boolean } = {}) {
  const statuses: number[] = [];
  const observed: AnsweredRequest[] = [];
  const registry = new HandlerRegistry();
  registry.register({
    resourceType: 'Basic', interaction: 'read',
    handler: async (ctx) => {
      ctx.whenAnswered!(async (status) => {
        if (opts.failingHook) throw new Error('store down');
        statuses.push(status);
      });
      return await handlerResult() as never;
    },
  });
  registry.register({ resourceType: 'Basic', interaction: 'search-type', handler: async () => ({ resource: { resourceType: 'Bundle', type: 'searchset' } as fhir4.Bundle }) });
  const app = createApp({
    registry,
    logger: createLogger('silent'),
    maxBodyBytes: 10_000,
    authenticate: async (req) => {
      if (req.headers.authorization !== 'Bearer good') throw new FhirError(401, { code: 'login', diagnostics: 'no' });
      return { who: 'someone' };
    },
    observer: async (a) => {
      observed.push(a);
    },
  });
  return { app, statuses, observed };
}

const basic: fhir4.Basic = { resourceType: 'Basic', id: 'b1', code: { text: 'c' } };

test('a success: the hook runs with 200 before the answer; the observer is told it was recorded', async () => {
  const { app, statuses, observed } = appWith(async () => ({ resource: basic }));
  const res = await request(app).get('/fhir/Basic/b1').set('Authorization', 'Bearer good');
  expect(res.status).toBe(200);
  expect(statuses).toEqual([200]);
  expect(observed).toEqual([expect.objectContaining({ status: 200, recorded: true, authentication: 'succeeded', principal: { who: 'someone' } })]);
});

test('an answer that fails after the handler (serialisation) is audited with the status sent: 500, not a success', async () => {
  const { app, statuses } = appWith(async () => ({ resource: { ...basic, extension: [{ url: 'x', valueInteger: 10n }] } }));
  const res = await request(app).get('/fhir/Basic/b1').set('Authorization', 'Bearer good');
  expect(res.status).toBe(500);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(statuses).toEqual([500]);
});

test('a subsetting parameter refused after the handler would have run is refused before it: the handler never runs', async () => {
  const ran: string[] = [];
  const { app, observed } = appWith(async () => {
    ran.push('handler');
    return { resource: basic };
  });
  const res = await request(app).get('/fhir/Basic/b1?_summary=maybe').set('Authorization', 'Bearer good');
  expect(res.status).toBe(400);
  expect(ran).toEqual([]);
  expect(observed).toEqual([expect.objectContaining({ status: 400, recorded: false, authentication: 'succeeded' })]);
});

test('a handler error is audited with its status', async () => {
  const { app, statuses } = appWith(async () => {
    throw FhirError.unprocessable('no');
  });
  expect((await request(app).get('/fhir/Basic/b1').set('Authorization', 'Bearer good')).status).toBe(422);
  expect(statuses).toEqual([422]);
});

test('when the audit cannot be written the answer is a 503 and the resource is not served', async () => {
  const { app } = appWith(async () => ({ resource: basic }), { failingHook: true });
  const res = await request(app).get('/fhir/Basic/b1').set('Authorization', 'Bearer good');
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('30');
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(JSON.stringify(res.body)).not.toContain('"Basic"');
});

test('the observer is told refusals no handler saw: 401 (authentication failed) and 406 (before authentication)', async () => {
  const { app, observed } = appWith(async () => ({ resource: basic }));
  expect((await request(app).get('/fhir/Basic/b1')).status).toBe(401);
  expect((await request(app).get('/fhir/Basic?_format=csv').set('Authorization', 'Bearer good')).status).toBe(406);
  expect(observed).toEqual([
    expect.objectContaining({ status: 401, recorded: false, authentication: 'failed', principal: undefined }),
    expect.objectContaining({ status: 406, recorded: false, authentication: 'not-attempted' }),
  ]);
  expect((observed[0].error as FhirError).status).toBe(401);
});

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { HandlerRegistry } from '../../src/fhir/registry.js';
import { FhirError } from '../../src/kernel/errors.js';
import { createApp } from '../../src/server.js';
import type { Logger } from '../../src/logging/logger.js';

/** A logger whose lines are kept in memory, to check what is (not) logged. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/**
 * A registry with test interactions on real R4 types, to exercise the core
 * without the eHDSI layers: Basic read/search/create/update, a type operation
 * and an instance operation, and a Binary read answering a PDF.
 */
export function testRegistry(): HandlerRegistry {
  const registry = new HandlerRegistry();
  const stored = new Map<string, fhir4.Basic>([['b1', { resourceType: 'Basic', id: 'b1', code: { text: 'première' } }]]);
  registry.register({
    resourceType: 'Basic', interaction: 'read',
    handler: async (ctx) => {
      const r = stored.get(ctx.id!);
      if (!r) throw FhirError.notFound(`Basic/${ctx.id} is not known`);
      return { resource: r };
    },
  });
  registry.register({
    resourceType: 'Basic', interaction: 'search-type',
    searchParams: [{ name: 'code', type: 'token', documentation: 'code text' }],
    handler: async (ctx) => ({
      resource: {
        resourceType: 'Bundle', type: 'searchset',
        total: [...stored.values()].filter((b) => !ctx.params.get('code') || b.code.text === ctx.params.get('code')).length,
      } as fhir4.Bundle,
    }),
  });
  registry.register({
    resourceType: 'Basic', interaction: 'create',
    handler: async (ctx) => {
      const r = { ...(ctx.body as fhir4.Basic), id: `b${stored.size + 1}` };
      stored.set(r.id, r);
      return { status: 201, resource: r, headers: { Location: `${ctx.baseUrl}/Basic/${r.id}` } };
    },
  });
  registry.register({
    resourceType: 'Basic', interaction: 'update',
    handler: async (ctx) => {
      stored.set(ctx.id!, ctx.body as fhir4.Basic);
      return { resource: ctx.body };
    },
  });
  registry.register({
    resourceType: 'Basic', interaction: 'operation',
    operation: { name: 'echo', level: 'type', methods: ['GET', 'POST'], definition: 'http://example.org/OperationDefinition/echo' },
    handler: async (ctx) => ({
      resource: ctx.body ?? { resourceType: 'Parameters', parameter: [...ctx.params.entries()].filter(([k]) => !k.startsWith('_')).map(([name, valueString]) => ({ name, valueString })) } as fhir4.Parameters,
    }),
  });
  registry.register({
    resourceType: 'Basic', interaction: 'operation',
    operation: { name: 'touch', level: 'instance', methods: ['POST'], definition: 'http://example.org/OperationDefinition/touch' },
    handler: async (ctx) => ({ resource: stored.get(ctx.id!) ?? (() => { throw FhirError.notFound('no such Basic'); })() }),
  });
  registry.register({
    resourceType: 'Binary', interaction: 'read', produces: ['application/pdf'],
    handler: async () => ({ binary: { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') } }),
  });
  registry.register({
    resourceType: 'Basic', interaction: 'operation',
    operation: { name: 'crash', level: 'type', methods: ['GET'], definition: 'http://example.org/OperationDefinition/crash' },
    handler: async () => {
      throw new Error('a bug in a handler');
    },
  });
  return registry;
}

export function testApp(opts: { maxBodyBytes?: number; logger?: Logger; registry?: HandlerRegistry } = {}) {
  return createApp({
    registry: opts.registry ?? testRegistry(),
    logger: opts.logger ?? memoryLogger().logger,
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
  });
}

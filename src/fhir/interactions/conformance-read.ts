import type { ConformanceResources } from '../conformance-resources.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET /fhir/{OperationDefinition|SearchParameter|…}/{id}: the definitions the
 * CapabilityStatement points to. Public, like /metadata: they hold no patient data.
 */
export function registerConformanceReads(registry: HandlerRegistry, resources: ConformanceResources): void {
  for (const type of resources.types()) {
    if (registry.find(type, 'read')) continue; // a richer handler owns this type
    registry.register({
      resourceType: type,
      interaction: 'read',
      public: true,
      documentation: `Definitions published by this server (conformance/${type}/)`,
      handler: async (ctx) => {
        const resource = resources.get(type, ctx.id!);
        if (!resource) throw FhirError.notFound(`${type}/${ctx.id} is not defined by this server`);
        return { resource };
      },
    });
  }
}

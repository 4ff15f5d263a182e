import type { HandlerRegistry } from './registry.js';
import type { CapabilityStatement, CapabilityStatementRestResource } from '../kernel/types.js';

export interface SoftwareInfo {
  name: string;
  version: string;
}

/**
 * Builds the CapabilityStatement from the registry only: nothing is listed
 * that is not routed, nothing routed is missing.
 */
export function buildCapabilityStatement(registry: HandlerRegistry, software: SoftwareInfo, baseUrl: string, date: string): CapabilityStatement {
  const resources: CapabilityStatementRestResource[] = registry.resourceTypes().map((type) => {
    const entries = registry.all().filter((e) => e.resourceType === type);
    const r: CapabilityStatementRestResource = { type: type as CapabilityStatementRestResource['type'] };
    const profiles = [...new Set(entries.flatMap((e) => e.supportedProfiles ?? []))];
    if (profiles.length) r.supportedProfile = profiles;
    const interactions = entries.filter((e) => e.interaction !== 'operation');
    if (interactions.length) {
      r.interaction = interactions.map((e) => ({
        code: e.interaction as 'read' | 'vread' | 'search-type' | 'create' | 'update' | 'delete',
        ...(e.documentation ? { documentation: e.documentation } : {}),
      }));
    }
    const params = entries.flatMap((e) => e.searchParams ?? []);
    if (params.length) {
      r.searchParam = params.map((p) => ({
        name: p.name,
        type: p.type,
        ...(p.definition ? { definition: p.definition } : {}),
        ...(p.documentation ? { documentation: p.documentation } : {}),
      }));
    }
    // An operation routed at both the type and the instance level is listed once.
    const ops = entries.filter((e, i) => e.interaction === 'operation' && e.operation
      && entries.findIndex((o) => o.operation?.name === e.operation!.name && o.operation.definition === e.operation!.definition) === i);
    if (ops.length) {
      r.operation = ops.map((e) => ({
        name: e.operation!.name,
        definition: e.operation!.definition,
        ...(e.operation!.documentation ? { documentation: e.operation!.documentation } : {}),
      }));
    }
    if (entries.some((e) => e.interaction === 'read')) r.readHistory = false;
    if (entries.some((e) => e.interaction === 'update')) r.updateCreate = false;
    return r;
  });

  const systemOps = registry.all().filter((e) => e.resourceType === null && e.operation);
  const security = registry.contributors.map((c) => c.security?.()).find((s) => s !== undefined);
  const instantiates = [...new Set(registry.all().flatMap((e) => e.instantiates ?? []))];

  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'ehdsi-fhir-facade project',
    kind: 'instance',
    ...(instantiates.length ? { instantiates } : {}),
    software: { name: software.name, version: software.version },
    implementation: { description: 'FHIR R4 facade to the eHDSI / MyHealth@EU patient-summary network', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/fhir+xml'],
    rest: [{
      mode: 'server',
      ...(security ? { security } : {}),
      resource: resources,
      ...(systemOps.length ? {
        operation: systemOps.map((e) => ({ name: e.operation!.name, definition: e.operation!.definition })),
      } : {}),
    }],
  };
}

/**
 * The CapabilityStatement is true: every interaction it declares answers (a
 * 404 for an unknown id, a 400 for missing parameters — anything but "no such
 * route"), and what it does not declare does not answer.
 */
import { describe, type Answer, type KitHttp } from './http.js';
import { expect, type Report } from './report.js';

type Capability = fhir4.CapabilityStatement;
type RestResource = fhir4.CapabilityStatementRestResource;

const UNKNOWN_ID = 'conformance-kit-unknown';
/** Statuses that say the route exists (refusing what was sent is answering). */
const ANSWERED = new Set([200, 201, 304, 400, 401, 403, 404, 406, 415, 422]);
/** Types a FHIR server often serves that this one must not answer unless it declares them. */
const PROBED_TYPES = ['Observation', 'Encounter', 'MedicationRequest', 'Condition', 'Organization', 'Bundle', 'Composition'];
const INTERACTIONS = ['read', 'vread', 'update', 'delete', 'search-type', 'create'] as const;

/** "No such route": the answer of what is not served. */
function isNoRoute(a: Answer): boolean {
  return a.status === 404 || a.status === 405 || a.status === 501;
}

function routeAnswered(a: Answer): boolean {
  if (!ANSWERED.has(a.status)) return false;
  // A 404 for an unknown id is an answer of the route, not "no such route": it names the id.
  return a.status !== 404 || JSON.stringify(a.json ?? {}).includes(UNKNOWN_ID) || a.json?.resourceType === 'OperationOutcome';
}

async function probe(http: KitHttp, type: string, interaction: (typeof INTERACTIONS)[number]): Promise<Answer> {
  switch (interaction) {
    case 'read': return http.call(`${type}/${UNKNOWN_ID}`);
    case 'vread': return http.call(`${type}/${UNKNOWN_ID}/_history/1`);
    case 'update': return http.call(`${type}/${UNKNOWN_ID}`, { method: 'PUT', body: { resourceType: type, id: UNKNOWN_ID } });
    case 'delete': return http.call(`${type}/${UNKNOWN_ID}`, { method: 'DELETE' });
    case 'create': return http.call(type, { method: 'POST', body: { resourceType: type } });
    case 'search-type': return http.call(`${type}?_count=1`);
  }
}

/** Reads the CapabilityStatement; the other checks take what it declares from here. */
export async function checkCapability(http: KitHttp, report: Report): Promise<Capability | undefined> {
  let capability: Capability | undefined;
  await report.check('capability', 'GET metadata without a token: an R4 CapabilityStatement, JSON, server mode', async () => {
    const a = await http.call('metadata', { anonymous: true });
    expect(a.status === 200 && a.json?.resourceType === 'CapabilityStatement', `expected 200 CapabilityStatement, got ${describe(a)}`);
    capability = a.json as unknown as Capability;
    expect(capability.fhirVersion === '4.0.1', `fhirVersion ${capability.fhirVersion}`);
    expect(capability.format.some((f) => /json/.test(f)), `format ${capability.format.join(', ')}`);
    expect(capability.rest?.[0]?.mode === 'server', 'rest[0].mode is not server');
    return `${capability.rest![0].resource?.length ?? 0} resource types`;
  });
  if (!capability) return undefined;
  const rest = capability.rest![0];
  const resources = rest.resource ?? [];

  for (const resource of resources) {
    const declared = new Set((resource.interaction ?? []).map((i) => i.code));
    await report.check('capability', `${resource.type}: every declared interaction answers, the others do not`, async () => {
      const wrong: string[] = [];
      for (const interaction of INTERACTIONS) {
        const a = await probe(http, resource.type, interaction);
        if (declared.has(interaction) && !routeAnswered(a)) wrong.push(`${interaction} declared but ${describe(a)}`);
        if (!declared.has(interaction) && !isNoRoute(a)) wrong.push(`${interaction} not declared but ${describe(a)}`);
      }
      expect(!wrong.length, wrong.join('; '));
      return [...declared].join(', ');
    });
    await checkOperations(http, report, resource);
    await checkSearchParams(http, report, resource);
  }
  for (const op of rest.operation ?? []) {
    await report.check('capability', `system operation $${op.name} answers`, async () => {
      const a = await http.call(`$${op.name}`, { method: 'POST', body: { resourceType: 'Parameters' } });
      expect(routeAnswered(a), describe(a));
    });
  }
  await report.check('capability', 'resource types not declared are not served', async () => {
    const served = new Set<string>(resources.map((r) => r.type));
    const wrong: string[] = [];
    for (const type of PROBED_TYPES.filter((t) => !served.has(t))) {
      const a = await http.call(`${type}?_count=1`);
      if (a.status !== 404) wrong.push(`${type}: ${describe(a)}`);
    }
    expect(!wrong.length, wrong.join('; '));
  });
  await report.check('capability', 'rest.security: SMART on FHIR with OAuth endpoints, CORS declared', async () => {
    const security = rest.security;
    expect(security, 'no rest.security');
    expect(security.service?.some((s) => s.coding?.some((c) => c.code === 'SMART-on-FHIR')), 'service is not SMART-on-FHIR');
    expect(security.cors === true, 'rest.security.cors is not true');
  });
  return capability;
}

/** Each declared operation answers at its level (GET for those that take no body, POST with an empty Parameters). */
async function checkOperations(http: KitHttp, report: Report, resource: RestResource): Promise<void> {
  for (const op of resource.operation ?? []) {
    await report.check('capability', `${resource.type} $${op.name}: its OperationDefinition resolves and the operation answers`, async () => {
      // The server publishes its own definitions; HL7's (http://hl7.org/fhir/OperationDefinition/…) are HL7's.
      const own = !op.definition.startsWith('http://hl7.org/fhir/');
      let def: fhir4.OperationDefinition | undefined;
      if (own) {
        const id = op.definition.split('/').pop()!;
        const definition = await http.call(`OperationDefinition/${id}`);
        def = definition.json as unknown as fhir4.OperationDefinition | undefined;
        expect(definition.status === 200 && def?.resourceType === 'OperationDefinition', `OperationDefinition/${id}: ${describe(definition)}`);
      }
      const path = def?.instance && !def.type ? `${resource.type}/${UNKNOWN_ID}/$${op.name}` : `${resource.type}/$${op.name}`;
      const a = await http.call(path, { method: 'POST', body: { resourceType: 'Parameters' } });
      expect(routeAnswered(a), `POST ${path}: ${describe(a)}`);
      // GET is for operations that change nothing and take only primitive parameters (FHIR operations, §3.1.0.1).
      const primitiveOnly = (def?.parameter ?? []).filter((p) => p.use === 'in').every((p) => !p.type || /^[a-z]/.test(p.type));
      if (def && !def.affectsState && primitiveOnly) {
        const g = await http.call(path);
        expect(routeAnswered(g), `GET ${path}: ${describe(g)}`);
      }
    });
  }
}

/** Each declared search parameter's definition is published (when it is this server's) and the parameter is taken. */
async function checkSearchParams(http: KitHttp, report: Report, resource: RestResource): Promise<void> {
  if (!resource.searchParam?.length) return;
  await report.check('capability', `${resource.type}: declared search parameters are defined and understood`, async () => {
    const wrong: string[] = [];
    for (const sp of resource.searchParam ?? []) {
      if (sp.definition && !sp.definition.startsWith('http://hl7.org/fhir/')) {
        const id = sp.definition.split('/').pop()!;
        const a = await http.call(`SearchParameter/${id}`);
        if (a.status !== 200) wrong.push(`SearchParameter/${id}: ${describe(a)}`);
      }
      // Strict handling: an unknown parameter is a 400 naming it; a declared one is never refused as unknown.
      const a = await http.call(`${resource.type}?${encodeURIComponent(sp.name)}=x&_count=1`, { headers: { Prefer: 'handling=strict' } });
      const text = JSON.stringify(a.json ?? {});
      if (a.status === 400 && /not supported/i.test(text) && text.includes(`"${sp.name}"`)) wrong.push(`${sp.name} refused as unsupported`);
    }
    const unknown = await http.call(`${resource.type}?conformance-kit-unknown=x`, { headers: { Prefer: 'handling=strict' } });
    if (unknown.status !== 400) wrong.push(`an unknown parameter under handling=strict: ${describe(unknown)} (expected 400)`);
    expect(!wrong.length, wrong.join('; '));
    return resource.searchParam!.map((s) => s.name).join(', ');
  });
}

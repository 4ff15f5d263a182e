import { pino } from 'pino';
import type { JourneyDeps } from '../journey/index.js';
import { resolveRoute } from './app.js';
import { buildRegistry } from './interactions/index.js';
import { registerJourney } from './interactions/journey.js';

// The interaction a request is audited as is its route's declared `audit`: the real registrations.
const registry = buildRegistry({});
registerJourney(registry, { logger: pino({ level: 'silent' }) } as unknown as JourneyDeps);

function auditedAs(method: string, url: string): string | undefined {
  const path = url.split('?')[0];
  if (!path.startsWith('/fhir/')) return undefined;
  try {
    return resolveRoute(registry, method, path.slice('/fhir/'.length).split('/')).registration.audit;
  } catch {
    return undefined;
  }
}

test.each([
  ['GET', '/fhir/Patient?identifier=x', 'search-patient'],
  ['POST', '/fhir/Patient/_search', 'search-patient'],
  ['POST', '/fhir/Patient/$match', 'match-patient'],
  ['GET', '/fhir/Patient/abc', 'patient-read'],
  ['GET', '/fhir/Patient/abc/$summary', 'summary-read'],
  ['POST', '/fhir/Patient/abc/$summary', 'summary-read'],
  ['POST', '/fhir/Consent', 'consent-create'],
  ['GET', '/fhir/Consent?patient=x', 'consent-search'],
  ['GET', '/fhir/Consent/c1/_history/1', 'consent-read'],
  ['GET', '/fhir/DocumentReference?patient=x', 'document-search'],
  ['GET', '/fhir/Binary/x.L1', 'document-read'],
  ['GET', '/fhir/DocumentReference/x.fr-PDF', 'document-reference-read'],
  ['GET', '/fhir/AuditEvent', 'audit-read'],
  ['GET', '/fhir/metadata', undefined],
  ['GET', '/fhir/Practitioner/psc-1', undefined],
  ['GET', '/fhir/ValueSet/countries/$expand', undefined],
  ['GET', '/portal', undefined],
])('%s %s is %s', (method, url, subtype) => {
  expect(auditedAs(method, url)).toBe(subtype);
});

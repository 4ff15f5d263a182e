import type { HandlerRegistry } from '../registry.js';
import { practitionerRoleOf, roleIdOf } from './practitioner-resources.js';
import { notYours, registerOwnResource } from './own-resources.js';

/** The practitioner id a reference search value names: "id", "Practitioner/id" or an absolute URL. */
function referencedId(raw: string): string | undefined {
  const m = /(?:^|\/)(?:Practitioner\/)?([A-Za-z0-9\-.]{1,64})$/.exec(raw.trim());
  if (!m) return undefined;
  if (raw.includes('/') && !/(^|\/)Practitioner\/[^/]+$/.test(raw.trim())) return undefined;
  return m[1];
}

/** GET PractitionerRole/{id} and GET PractitionerRole?practitioner= — the session's practice situation only. */
export function registerPractitionerRole(registry: HandlerRegistry): void {
  registerOwnResource(registry, {
    resourceType: 'PractitionerRole',
    idOf: (me) => roleIdOf(me.practitionerId),
    resourceOf: practitionerRoleOf,
    read: 'The practice situation of the logged-in professional (site contained as Organization and Location).',
    search: 'The practice situation chosen for the session; searching for another professional is refused with 403.',
    searchParams: [
      { name: 'practitioner', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/PractitionerRole-practitioner', documentation: 'Practitioner/<own id>' },
    ],
    checkSearch: (ctx, me) => {
      for (const raw of ctx.params.getAll('practitioner')) {
        if (!raw.split(',').some((v) => referencedId(v) === me.practitionerId)) throw notYours('PractitionerRole search');
      }
    },
  });
}

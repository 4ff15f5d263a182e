import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';
import { practitionerOf } from './practitioner-resources.js';
import { parseToken } from '../token.js';
import { notYours, registerOwnResource } from './own-resources.js';

/** GET Practitioner/{id} and GET Practitioner?identifier=|_id= — the logged-in professional only. */
export function registerPractitioner(registry: HandlerRegistry): void {
  registerOwnResource(registry, {
    resourceType: 'Practitioner',
    idOf: (me) => me.practitionerId,
    resourceOf: practitionerOf,
    read: 'The logged-in professional (id psc-<national id>); 403 for anyone else.',
    search: 'Finds the logged-in professional; searching for anyone else is refused with 403.',
    searchParams: [
      { name: 'identifier', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Practitioner-identifier', documentation: 'urn:oid:1.2.250.1.71.4.2.1|<national id> or https://rpps.esante.gouv.fr|<RPPS>' },
      { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
    ],
    checkSearch: (ctx, me, practitioner) => {
      for (const raw of ctx.params.getAll('identifier')) {
        const alternatives = raw.split(',').map(parseToken);
        if (alternatives.some((t) => !t.value)) throw FhirError.badRequest('identifier needs a value (system|value)', ['identifier']);
        const mine = alternatives.some((t) => (practitioner.identifier ?? []).some((i) => i.value === t.value && (!t.system || i.system === t.system)));
        if (!mine) throw notYours('Practitioner search');
      }
      for (const raw of ctx.params.getAll('_id')) {
        if (!raw.split(',').includes(me.practitionerId)) throw notYours('Practitioner search');
      }
    },
  });
}

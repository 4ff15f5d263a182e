import { lookupCode } from '../../terminology/lookup.js';
import { FhirError } from '../../kernel/errors.js';
import { OperationInput } from '../operation-input.js';
import type { HandlerRegistry } from '../registry.js';
import { answering, displayLanguageOf, type TerminologyDeps } from '../terminology-request.js';

/**
 * GET|POST /fhir/CodeSystem/$lookup?system=…&code=…: the code system's name,
 * the display in displayLanguage (default from Accept-Language) when the
 * catalogue has it, the designation with its provenance, "non traduit" when
 * there is none. Terminology holds no patient data: nothing is audited.
 */
export function registerCodeSystemLookup(registry: HandlerRegistry, deps: TerminologyDeps): void {
  registry.register({
    resourceType: 'CodeSystem',
    interaction: 'operation',
    operation: {
      name: 'lookup',
      level: 'type',
      methods: ['GET', 'POST'],
      definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
      documentation: 'system (FHIR URI or urn:oid:) and code, or coding (a valueCoding in POST, system|code in the URL); displayLanguage (default from Accept-Language); property (designation, untranslated). '
        + 'The designation carries its provenance (extension designation-source); a concept without one has the property "untranslated".',
    },
    handler: async (ctx) => {
      deps.requireCaller(ctx);
      const input = OperationInput.of(ctx, '$lookup');
      const coding = input.coding('coding');
      const system = input.get('system') ?? coding?.system;
      const code = input.get('code') ?? coding?.code;
      if (!system || !code) throw FhirError.badRequest('$lookup needs system and code, or coding=system|code', [system ? 'code' : 'system'], 'required');
      const catalogue = deps.catalogue();
      const request = {
        system,
        code,
        displayLanguage: displayLanguageOf(ctx, input, catalogue),
        translationLanguage: deps.translationLanguage,
        properties: input.all('property'),
      };
      return { resource: answering(() => lookupCode(catalogue, request)) };
    },
  });
}

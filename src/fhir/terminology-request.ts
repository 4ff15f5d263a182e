import type { TerminologyCatalogue } from '../terminology/catalogue.js';
import { TerminologyError, type TerminologyIssue } from '../terminology/errors.js';
import { languageTag, preferredLanguage, servingLanguage } from '../terminology/language.js';
import { FhirError } from '../kernel/errors.js';
import type { OperationInput } from './operation-input.js';
import type { FhirContext } from './registry.js';

/** What the terminology operations ($expand, $lookup) need. */
export interface TerminologyDeps {
  /** The catalogue conversions use: the project's, then the operator's (its entries win). */
  catalogue: () => TerminologyCatalogue;
  /** The language summaries are translated into (mapping.language). */
  translationLanguage: string;
  /** Refuses a caller who may not use the terminology (throws a 401/403 FhirError). */
  requireCaller: (ctx: FhirContext) => unknown;
  now: () => Date;
}

/**
 * The display language of a request: its displayLanguage parameter (400 when
 * malformed), else what its Accept-Language header prefers, as FHIR says the
 * parameter defaults from it.
 */
export function displayLanguageOf(ctx: FhirContext, input: OperationInput, catalogue: TerminologyCatalogue): string | undefined {
  const asked = input.get('displayLanguage');
  if (asked !== undefined) {
    const tag = languageTag(asked);
    if (!tag) throw FhirError.badRequest(`displayLanguage "${asked}" is not a BCP 47 language tag (e.g. fr-FR)`, ['displayLanguage'], 'value');
    return servingLanguage(catalogue, tag);
  }
  const header = ctx.req.headers['accept-language'];
  return header ? preferredLanguage(header, catalogue) : undefined;
}

const STATUS: Record<TerminologyIssue, number> = { 'not-found': 404, 'not-supported': 422, 'too-costly': 422, invalid: 400 };

/** Runs a terminology step, telling its errors as OperationOutcomes: French in details.text, English in diagnostics. */
export function answering<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (!(err instanceof TerminologyError)) throw err;
    throw new FhirError(STATUS[err.issue], {
      code: err.issue,
      diagnostics: err.message,
      details: { text: err.french },
      ...(err.parameter ? { expression: [err.parameter] } : {}),
    });
  }
}

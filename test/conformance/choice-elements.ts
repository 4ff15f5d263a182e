/**
 * Choice elements (`value[x]`): which JSON properties of an object are variants of one choice
 * element, and the rule that an object carries at most one variant. medplum only warns about two
 * variants; the FHIR JSON format makes it an error ("the property name is the element name with
 * the type appended, and only one of them may be present").
 */
import type { Definitions } from './definitions.js';
import type { Issue, Json } from './issues.js';

const FHIRPATH_STRING = 'http://hl7.org/fhirpath/System.String';

/** Type code of an ElementDefinition type, with the FHIRPath system types of `id`/`url` elements mapped to FHIR types. */
export function typeCode(type: fhir4.ElementDefinitionType): string {
  if (!type.code.startsWith('http://hl7.org/fhirpath/')) return type.code;
  const explicit = type.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type');
  if (explicit?.valueUrl) return explicit.valueUrl;
  return type.code === FHIRPATH_STRING ? 'string' : type.code.slice(type.code.lastIndexOf('.') + 1).toLowerCase();
}

/** The FHIR type a JSON property suffix names (`DateTime` → `dateTime`, `CodeableConcept` → `CodeableConcept`), if any. */
export function typeOfSuffix(suffix: string, defs: Definitions): string | undefined {
  if (!suffix) return undefined;
  const lowered = suffix[0].toLowerCase() + suffix.slice(1);
  if (defs.primitiveTypes.has(lowered)) return lowered;
  if (defs.baseTypes.has(suffix) && !defs.resourceTypes.has(suffix)) return suffix;
  return undefined;
}

export interface ChoiceVariant {
  /** JSON property name (without the `_` of a primitive's extension property). */
  key: string;
  type: string;
  /** Present as `_key` (extensions of a primitive) only or too. */
  underscored: boolean;
  plain: boolean;
}

/**
 * The variants of choice element `base[x]` present on an object. Properties that are elements of
 * their own (listed in `ownNames`) are never variants.
 */
export function choiceVariants(obj: Json, base: string, ownNames: Set<string>, defs: Definitions): ChoiceVariant[] {
  const variants = new Map<string, ChoiceVariant>();
  for (const rawKey of Object.keys(obj)) {
    const underscored = rawKey.startsWith('_');
    const key = underscored ? rawKey.slice(1) : rawKey;
    if (!key.startsWith(base) || key === base || ownNames.has(key)) continue;
    const type = typeOfSuffix(key.slice(base.length), defs);
    if (!type) continue;
    const v = variants.get(key) ?? { key, type, underscored: false, plain: false };
    if (underscored) v.underscored = true;
    else v.plain = true;
    variants.set(key, v);
  }
  return [...variants.values()];
}

/** More than one variant of one choice element on one object is an error. */
export function choiceIssues(variants: ChoiceVariant[], element: string, path: string): Issue[] {
  if (variants.length < 2) return [];
  const names = variants.map((v) => (v.plain ? v.key : `_${v.key}`)).join(', ');
  return [
    {
      severity: 'error',
      rule: 'choice-type',
      path,
      message: `${element} has ${variants.length} variants on one object (${names}): only one type may be given`,
    },
  ];
}

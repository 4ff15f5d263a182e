/** The shapes of the map files (checked against mappings/schema/map.schema.json when loaded). */

export type DataTypeName =
  | 'string' | 'text' | 'description' | 'code' | 'boolean' | 'integer' | 'decimal' | 'CodeableConcept' | 'Coding' | 'Identifier'
  | 'dateTime' | 'date' | 'Period' | 'effective' | 'Quantity' | 'Ratio' | 'Range' | 'dose' | 'value'
  | 'HumanName' | 'Address' | 'ContactPoint' | 'reference' | 'ignore';

export interface FieldRule {
  to: string;
  from?: string;
  as?: DataTypeName;
  value?: unknown;
  map?: string;
  all?: boolean;
  each?: string;
  fields?: FieldRule[];
  resource?: NestedResourceMap;
  ref?: string;
  when?: string;
  unless?: string;
  /** As CodeableConcept: a coding put first, before the source's (e.g. the LOINC code a profile requires). */
  lead?: fhir4.Coding;
  /** With `each`: only the matches where this path matches. */
  where?: string;
  absent?: string;
  /** Set when the maps load: the FHIR type suffix of a choice `to` for this rule's values. */
  typeSuffix?: string;
}

/** A profile declared when its condition holds on the CDA element (the first that holds wins). */
export interface ConditionalProfile {
  url: string;
  when?: string;
  unless?: string;
}

/** An item of a rule list that stands for a whole rule set (mappings/rule-sets/), expanded when the maps load. */
export interface IncludeRule {
  include: string;
}

export interface NestedResourceMap {
  type: string;
  profile?: string;
  profiles?: ConditionalProfile[];
  patient?: string;
  fields: FieldRule[];
}

export interface DocumentMap {
  kind: 'document';
  resources: Array<{ id: string; type: string; from: string; profile?: string; fields: FieldRule[] }>;
  composition: { profile?: string; fields: FieldRule[] };
}

export interface SectionMap {
  kind: 'section';
  id: string;
  code: string;
  templates?: string[];
  title: string;
  required?: boolean;
  order?: number;
  entries: string[];
}

export interface EntryMap {
  kind: 'entry';
  id: string;
  templates: string[];
  resource: string;
  profile?: string;
  /** Profiles chosen by conditions on the statement (instead of `profile`). */
  profiles?: ConditionalProfile[];
  each?: string;
  patient?: string;
  /**
   * Coded elements that only give structure (ActClass CONC, the code of a
   * status or severity observation whose value is mapped…): read on purpose,
   * listed in the report, not flagged on the resource. Paths from the statement.
   */
  structural?: string[];
  /** Element names matched, in this map's sections, when a statement has no templateId at all. */
  elements?: string[];
  /** How the statement may say "no known X" or "no information about X" (mappings/absence/absent-unknown.yaml). */
  absence?: AbsenceRule;
  fields: FieldRule[];
}

/** Where a statement names what it is about, for the absent/unknown rules. */
export interface AbsenceRule {
  /** The kind of statement (a key of the absent/unknown table's statements). */
  statement: string;
  /** Paths (from the statement) of the coded or named elements that say what it is about. */
  subject: string[];
  /** Paths of coded elements that only classify the statement (e.g. "drug allergy"). */
  kind?: string[];
}

/** What IPS 2.0 says for a known absence of one kind of statement. */
export interface AbsenceStatement {
  /** Another statement this one reads like (its codes, generic codes, resource). */
  like?: string;
  knownAbsence: string;
  /** The known absence is said by the section's emptyReason (this code), not by a resource. */
  emptyReason?: string;
  resource?: string;
  profile?: string;
  patient?: string;
  /** Element of the resource coded with the "no known" situation. */
  concept?: string;
  /** The situation goes into the type of a Device the statement references. */
  device?: { profile: string; reference: string };
  /** Rules run on the statement after the concept: statuses, its own time. */
  fields?: FieldRule[];
  /** SNOMED CT codes that only name the kind of statement → the "no known" situation of the same breadth. */
  generic?: Record<string, string>;
}

export interface AbsentUnknownCode {
  system: string;
  code: string;
  means: 'known-absence' | 'no-information';
  of: string;
  replacedBy?: string;
}

export interface AbsentUnknownTable {
  kind: 'absent-unknown';
  statements: Record<string, AbsenceStatement>;
  concepts: Record<string, string>;
  codes: AbsentUnknownCode[];
  emptyReasons: Record<string, string>;
}

/** A named list of field rules, included by entry maps and other rule sets. */
export interface RuleSet {
  kind: 'rule-set';
  id: string;
  fields: Array<FieldRule | IncludeRule>;
}

export interface ValueMap {
  system?: string;
  codes: Record<string, string | boolean>;
  displays?: Record<string, string>;
  default?: string;
  /** Source codes more specific than their target: the source concept stays on the element (source-concept). */
  narrower?: string[];
}

export interface ValueMaps {
  kind: 'value-maps';
  maps: Record<string, ValueMap>;
}

export interface RequiredElements {
  kind: 'required-elements';
  requiredSections?: string[];
  resources: Record<string, string[]>;
}

/** A rule checked on every converted resource (mappings/ips/consistency.yaml). */
export interface ConsistencyRule {
  resource: string;
  element: string;
  keepIf?: { element: string; codes: string[] };
  dropValues?: string[];
  why: string;
}

export interface ConsistencyRules {
  kind: 'consistency';
  rules: ConsistencyRule[];
}

export type MapFile = ConsistencyRules | DocumentMap | SectionMap | EntryMap | ValueMaps | RequiredElements | AbsentUnknownTable | RuleSet;

/** Every map, loaded and cross-checked. */
export interface MapSet {
  document: DocumentMap;
  sections: SectionMap[];
  entries: Map<string, EntryMap>;
  valueMaps: Record<string, ValueMap>;
  nullFlavors: Record<string, string>;
  required: RequiredElements;
  absentUnknown: AbsentUnknownTable;
  consistency: ConsistencyRule[];
}

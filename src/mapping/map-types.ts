/** The shapes of the map files (checked against mappings/schema/map.schema.json when loaded). */

export type DataTypeName =
  | 'string' | 'text' | 'code' | 'boolean' | 'integer' | 'decimal' | 'CodeableConcept' | 'Coding' | 'Identifier'
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
  absent?: string;
}

export interface NestedResourceMap {
  type: string;
  profile?: string;
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
  fields: FieldRule[];
}

export interface ValueMap {
  system?: string;
  codes: Record<string, string | boolean>;
  displays?: Record<string, string>;
  default?: string;
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

export type MapFile = DocumentMap | SectionMap | EntryMap | ValueMaps | RequiredElements;

/** Every map, loaded and cross-checked. */
export interface MapSet {
  document: DocumentMap;
  sections: SectionMap[];
  entries: Map<string, EntryMap>;
  valueMaps: Record<string, ValueMap>;
  nullFlavors: Record<string, string>;
  required: RequiredElements;
}

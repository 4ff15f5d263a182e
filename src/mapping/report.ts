/** What a conversion did with a document: returned to callers who ask, logged as counts only. */
export interface ConversionReport {
  documentLevel: 'L3' | 'L1' | 'unknown';
  language: string;
  entries: {
    /** Clinical statements found under section/entry. */
    seen: number;
    /** Turned into FHIR resources by a map. */
    mapped: number;
    /** No map for their template: kept in the section narrative, their codes listed below. */
    narrativeOnly: number;
  };
  resources: number;
  codes: {
    /** Coded terms given a designation in the target language (the sum of the three below). */
    translated: number;
    /** …by an operator's official catalogue. */
    official: number;
    /** …by the project's catalogue, checked against a published source. */
    reviewed: number;
    /** …by the project's catalogue, not validated by a terminologist. */
    proposed: number;
    untranslated: number;
    /** Translated terms per catalogue (name and version). */
    bySource: Record<string, number>;
  };
  sections: SectionReport[];
  /** Codes without a designation in the target language (left in their original language). */
  untranslated: FlaggedCoding[];
  /** Entries without a map: their codes, so that nothing coded is lost. */
  narrativeOnly: Array<{ section: string; locator: string; templateIds: string[]; codings: fhir4.Coding[] }>;
  /** Coded elements of mapped entries whose coding no rule kept (on the resource as an extension; some had their code mapped). */
  unmappedCodings: FlaggedCoding[];
  /** Structural codes the maps read on purpose (e.g. the ActClass CONC of a concern act). */
  structuralCodings: FlaggedCoding[];
  /** What became of each clinical statement of the document, and why. */
  entryOutcomes: EntryOutcome[];
  /** Other facts worth a warning (unknown sections, L1 document…). */
  notes: string[];
}

/**
 * One CDA statement's fate: the resources it became, the "no known" resource
 * it became, the section emptyReason it became (no information), or the
 * narrative only (no map, or nothing safe to say in a resource).
 */
export interface EntryOutcome {
  /** LOINC code of the section. */
  section: string;
  locator: string;
  map?: string;
  outcome: 'resource' | 'known-absence' | 'no-information' | 'narrative-only';
  /** ResourceType/id of what it became. */
  resources?: string[];
  /** The "no known" concept (known absence) or the emptyReason code (no information). */
  code?: fhir4.Coding;
  /** The section's emptyReason this statement asks for (when it became no resource). */
  emptyReason?: string;
  reason: string;
  /** Codes of a statement that became no resource: listed here so that nothing coded is lost. */
  codings?: fhir4.Coding[];
}

export interface SectionReport {
  code: string;
  map?: string;
  entriesSeen: number;
  entriesMapped: number;
  narrativeOnly: number;
  emptyReason?: string;
}

export interface FlaggedCoding {
  system?: string;
  code: string;
  display?: string;
  locator: string;
  /** The element's code went into a FHIR code element (e.g. criticality); the full coding is kept as an extension. */
  mappedAsCode?: boolean;
  /** Not a code ("..."): listed here only, never put on a resource. */
  placeholder?: boolean;
}

export function emptyReport(language: string): ConversionReport {
  return {
    documentLevel: 'unknown',
    language,
    entries: { seen: 0, mapped: 0, narrativeOnly: 0 },
    resources: 0,
    codes: { translated: 0, official: 0, reviewed: 0, proposed: 0, untranslated: 0, bySource: {} },
    sections: [],
    untranslated: [],
    narrativeOnly: [],
    unmappedCodings: [],
    structuralCodings: [],
    entryOutcomes: [],
    notes: [],
  };
}

/** The counts of a report, safe to log (no codes, no text, no identifiers). */
export function reportCounts(r: ConversionReport): Record<string, unknown> {
  return {
    level: r.documentLevel,
    language: r.language,
    entriesSeen: r.entries.seen,
    entriesMapped: r.entries.mapped,
    entriesNarrativeOnly: r.entries.narrativeOnly,
    entriesKnownAbsence: r.entryOutcomes.filter((o) => o.outcome === 'known-absence').length,
    entriesNoInformation: r.entryOutcomes.filter((o) => o.outcome === 'no-information').length,
    resources: r.resources,
    codesTranslated: r.codes.translated,
    codesOfficial: r.codes.official,
    codesProjectReviewed: r.codes.reviewed,
    codesProjectProposed: r.codes.proposed,
    codesUntranslated: r.codes.untranslated,
    unmappedCodings: r.unmappedCodings.length,
    structuralCodings: r.structuralCodings.length,
    sections: r.sections.length,
  };
}

/** The report as an OperationOutcome of information and warning issues. */
export function reportOperationOutcome(r: ConversionReport): fhir4.OperationOutcome {
  const issues: fhir4.OperationOutcomeIssue[] = [
    {
      severity: 'information',
      code: 'informational',
      diagnostics:
        `CDA ${r.documentLevel} → IPS (${r.language}): ${r.entries.seen} entries seen, ${r.entries.mapped} mapped, ` +
        `${r.entries.narrativeOnly} kept as narrative only; ${r.resources} resources; ` +
        `codes translated ${r.codes.translated} (official catalogue ${r.codes.official}, project catalogue reviewed ${r.codes.reviewed}, ` +
        `project catalogue not validated ${r.codes.proposed}), not translated ${r.codes.untranslated}`,
    },
  ];
  for (const n of r.notes) issues.push({ severity: 'warning', code: 'informational', diagnostics: n });
  for (const o of r.entryOutcomes) {
    const what =
      o.outcome === 'resource' ? `became ${o.resources?.join(', ')}` :
      o.outcome === 'known-absence' ? `became the known absence ${o.code?.code} ${o.code?.display ?? ''} (${o.resources?.join(', ')})` :
      o.outcome === 'no-information' ? `says no information: section emptyReason ${o.code?.code}, no resource` :
      'kept as narrative only';
    issues.push({
      severity: o.outcome === 'narrative-only' ? 'warning' : 'information',
      code: 'informational',
      diagnostics: `section ${o.section}, entry ${what}: ${o.reason}`,
      details: o.codings?.length ? { coding: o.codings } : undefined,
      expression: [o.locator],
    });
  }
  for (const u of r.unmappedCodings) {
    issues.push({
      severity: u.mappedAsCode ? 'information' : 'warning',
      code: u.mappedAsCode ? 'informational' : 'incomplete',
      diagnostics: u.placeholder
        ? 'placeholder instead of a code in the source (no letter or digit): not a code of its system, not on the resource'
        : u.mappedAsCode
          ? 'coded element mapped to a FHIR code; its original coding is kept as an extension of the resource'
          : 'coded element not mapped to a FHIR element (kept as an extension of the resource)',
      details: { coding: [{ system: u.system, code: u.code, display: u.display }] },
      expression: [u.locator],
    });
  }
  for (const u of r.untranslated) {
    issues.push({
      severity: 'information',
      code: 'informational',
      diagnostics: `no ${r.language} designation: shown in its original language`,
      details: { coding: [{ system: u.system, code: u.code, display: u.display }] },
      expression: [u.locator],
    });
  }
  return { resourceType: 'OperationOutcome', issue: issues.map(stripUndefined) };
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

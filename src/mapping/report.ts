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
    translated: number;
    untranslated: number;
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
  /** Other facts worth a warning (unknown sections, L1 document…). */
  notes: string[];
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
}

export function emptyReport(language: string): ConversionReport {
  return {
    documentLevel: 'unknown',
    language,
    entries: { seen: 0, mapped: 0, narrativeOnly: 0 },
    resources: 0,
    codes: { translated: 0, untranslated: 0 },
    sections: [],
    untranslated: [],
    narrativeOnly: [],
    unmappedCodings: [],
    structuralCodings: [],
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
    resources: r.resources,
    codesTranslated: r.codes.translated,
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
        `codes translated ${r.codes.translated}, not translated ${r.codes.untranslated}`,
    },
  ];
  for (const n of r.notes) issues.push({ severity: 'warning', code: 'informational', diagnostics: n });
  for (const e of r.narrativeOnly) {
    issues.push({
      severity: 'warning',
      code: 'not-supported',
      diagnostics: `entry with unknown template(s) ${e.templateIds.join(', ') || '(none)'} in section ${e.section}: kept as narrative only`,
      details: e.codings.length ? { coding: e.codings } : undefined,
      expression: [e.locator],
    });
  }
  for (const u of r.unmappedCodings) {
    issues.push({
      severity: u.mappedAsCode ? 'information' : 'warning',
      code: u.mappedAsCode ? 'informational' : 'incomplete',
      diagnostics: u.mappedAsCode
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

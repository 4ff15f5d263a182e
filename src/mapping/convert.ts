import type { TerminologyCatalogue } from '../terminology/catalogue.js';
import { compilePath } from './cda-path.js';
import { applyConsistency } from './consistency.js';
import { ConversionContext } from './context.js';
import * as dt from './datatypes.js';
import { MappingEngine, stableUuid, locatorOf, type EmittedResource } from './engine.js';
import { EXT } from './extensions.js';
import { CdaInputError } from './errors.js';
import type { MapSet, SectionMap } from './map-types.js';
import { compositionNarrative } from './composition-narrative.js';
import { markTranslated, presentSections, translationProvenance, type SourceDocumentFacts } from './document-translation.js';
import { narrativeDiv } from './narrative.js';
import { emptyReport, type ConversionReport } from './report.js';
import { childrenNamed, firstChild, isElement, parseXml, templateIds, textOf, type XmlElement } from './xml-tree.js';

export const CDA_NS = 'urn:hl7-org:v3';
export const IPS = {
  bundle: 'http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips',
  composition: 'http://hl7.org/fhir/uv/ips/StructureDefinition/Composition-uv-ips',
} as const;
const L1_TEMPLATE = '1.3.6.1.4.1.12559.11.10.1.3.1.1.7';
const EMPTY_REASON_DISPLAY: Record<string, string> = { nilknown: 'Nil Known', notasked: 'Not Asked', withheld: 'Information Withheld', unavailable: 'Unavailable', notstarted: 'Not Started', closed: 'Closed' };

export interface ConvertOptions {
  language: string;
  maxBytes?: number;
  catalogue: TerminologyCatalogue;
  maps: MapSet;
  /** When the Bundle is assembled (Bundle.timestamp, Provenance.recorded; default: now). */
  now?: Date;
  /** The facade's Patient the professional found: the Bundle's Patient takes its id, fullUrl and identifiers. */
  patient?: FacadePatient;
  /** The country that sent the document (ISO 3166-1 alpha-2); else the custodian's address country. */
  sourceCountry?: string;
}

export interface FacadePatient {
  id: string;
  /** Absolute URL of the facade's Patient (…/fhir/Patient/{id}). */
  fullUrl: string;
  identifier?: fhir4.Identifier[];
  address?: fhir4.Address[];
}

export interface ConversionResult {
  bundle: fhir4.Bundle;
  report: ConversionReport;
}

/** Parses a CDA patient summary and maps it to an IPS document Bundle. */
export function convertCda(input: string | Buffer, opts: ConvertOptions): ConversionResult {
  return convertTree(parseXml(input, { maxBytes: opts.maxBytes }), opts);
}

/** Maps an already parsed CDA document. */
export function convertTree(doc: XmlElement, opts: ConvertOptions): ConversionResult {
  if (doc.name !== 'ClinicalDocument' || doc.ns !== CDA_NS) {
    throw new CdaInputError('not-cda', `not an HL7 CDA document (root element ${doc.name} in namespace "${doc.ns}")`);
  }
  const report = emptyReport(opts.language);
  const ctx = new ConversionContext(doc, opts.language, opts.catalogue, report, opts.maps.nullFlavors);
  ctx.sourceLanguage = firstChild(doc, 'languageCode')?.attrs.code;
  const docId = firstChild(doc, 'id');
  const seed = docId ? `${docId.attrs.root ?? ''}^${docId.attrs.extension ?? ''}` : `${textOf(doc).slice(0, 4096)}`;
  const engine = new MappingEngine(opts.maps, ctx, seed);

  // Header: Patient, author(s), custodian… then the Composition.
  const header: EmittedResource[] = [];
  for (const r of opts.maps.document.resources) {
    for (const node of compilePath(r.from).elements(doc)) {
      const emitted = engine.buildResource(r.type, r.profile, r.fields, node);
      if (!emitted) continue;
      if (r.id === 'patient' && opts.patient && !engine.headerRefs('patient').length) asFacadePatient(emitted, opts.patient);
      header.push(...engine.emitted.splice(0));
      engine.addHeaderRef(r.id, emitted.fullUrl);
    }
  }
  if (!engine.headerRefs('patient').length) report.notes.push('no recordTarget/patientRole: the Composition has no subject');

  const composition: Record<string, unknown> = {};
  engine.applyRules(opts.maps.document.composition.fields, doc, composition);

  const body = firstChild(doc, 'component');
  const structured = body && firstChild(body, 'structuredBody');
  const isL1 = templateIds(doc).includes(L1_TEMPLATE) || !!(body && firstChild(body, 'nonXMLBody'));
  report.documentLevel = isL1 ? 'L1' : structured ? 'L3' : 'unknown';
  if (isL1) report.notes.push('level 1 document: the content is a PDF (see its DocumentReference); sections carry no entries');

  const sectionsOut: fhir4.CompositionSection[] = [];
  const entryResources: EmittedResource[] = [];
  const seenCodes = new Set<string>();
  if (structured) {
    for (const comp of childrenNamed(structured, 'component')) {
      const section = firstChild(comp, 'section');
      if (!section) continue;
      const out = mapSection(section, engine, ctx, opts.maps, entryResources);
      sectionsOut.push(out.section);
      if (out.code) seenCodes.add(out.code);
    }
  }
  for (const s of opts.maps.sections) {
    if (!s.required || seenCodes.has(s.code)) continue;
    sectionsOut.push(absentSection(s, ctx, isL1));
    report.sections.push({ code: s.code, map: s.id, entriesSeen: 0, entriesMapped: 0, narrativeOnly: 0, emptyReason: 'unavailable' });
  }

  const compId = engine.nextId();
  const compositionResource = {
    resourceType: 'Composition',
    id: compId,
    meta: { profile: [opts.maps.document.composition.profile ?? IPS.composition] },
    ...composition,
    section: sectionsOut,
  } as unknown as fhir4.Composition;
  if (!compositionResource.author?.length) compositionResource.author = [{ extension: [dt.dataAbsentReason('unknown')] }];
  if (!compositionResource.date) compositionResource.date = (opts.now ?? new Date()).toISOString();

  const source: SourceDocumentFacts = {
    language: ctx.sourceLanguage,
    country: (opts.sourceCountry ?? custodianCountry(doc))?.toUpperCase(),
    identifier: docId ? dt.identifier(docId) : undefined,
  };
  // The document's own identity: the source's for the pivot reader; for a
  // translation, a new one that changes with the language and the catalogues.
  const translationSeed = ctx.translating ? `${seed}|${opts.language}|${opts.catalogue.sources.map((c) => `${c.id}@${c.version ?? ''}`).join(',')}` : undefined;
  const documentIdentifier: fhir4.Identifier =
    !translationSeed && source.identifier ? source.identifier : { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${stableUuid(translationSeed ?? seed)}` };
  if (ctx.translating) markTranslated(compositionResource, opts.language, source, documentIdentifier);

  const compositionUrl = `urn:uuid:${compId}`;
  const all: EmittedResource[] = [{ fullUrl: compositionUrl, resource: compositionResource }, ...header, ...entryResources];
  applyConsistency(all, opts.maps.consistency, report);
  if (ctx.translating) {
    const byUrl = new Map(all.map((e) => [e.fullUrl, e.resource]));
    const resolve = (ref: string): fhir4.FhirResource | undefined => byUrl.get(ref);
    const narrativeOpts = { language: opts.language, sourceLanguage: ctx.sourceLanguage, absentUnknown: opts.maps.absentUnknown };
    presentSections(compositionResource.section, resolve, narrativeOpts);
    compositionResource.text = { status: 'generated', div: compositionNarrative(compositionResource, resolve, narrativeOpts) };
  }
  ctx.countTranslations(all.map((e) => e.resource));
  const provenanceId = engine.nextId();
  all.push({ fullUrl: `urn:uuid:${provenanceId}`, resource: translationProvenance(provenanceId, compositionUrl, (opts.now ?? new Date()).toISOString(), report, source) });
  report.resources = all.length;
  const bundle: fhir4.Bundle = {
    resourceType: 'Bundle',
    // a translation's Bundle is named by its document identifier (one hash, not two)
    id: translationSeed ? documentIdentifier.value!.slice('urn:uuid:'.length) : engine.nextId(),
    meta: { profile: [IPS.bundle] },
    language: opts.language,
    identifier: documentIdentifier,
    type: 'document',
    // when this Bundle was assembled (the document's own date is Composition.date)
    timestamp: (opts.now ?? new Date()).toISOString(),
    entry: all.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource })),
  };
  return { bundle, report };
}

/**
 * The Bundle's Patient becomes the facade's: its id and URL, the identifiers
 * the professional searched with (the same identifier gains what the facade
 * knows of it: use, assigner), and the facade's address when the CDA gives none.
 */
function asFacadePatient(emitted: EmittedResource, facade: FacadePatient): void {
  const patient = emitted.resource as fhir4.Patient;
  patient.id = facade.id;
  emitted.fullUrl = facade.fullUrl;
  const identifiers = (patient.identifier ??= []);
  for (const i of facade.identifier ?? []) {
    const same = identifiers.find((x) => x.system === i.system && x.value === i.value);
    if (same) Object.assign(same, { ...i, ...same });
    else identifiers.push(i);
  }
  if (!patient.address?.length && facade.address?.length) patient.address = facade.address;
}

/** The country of the custodian (the sending country's organisation), when the CDA says it. */
function custodianCountry(doc: XmlElement): string | undefined {
  const org = compilePath('custodian/assignedCustodian/representedCustodianOrganization/addr/country').first(doc);
  const text = org ? textOf(org) : '';
  return /^[A-Za-z]{2}$/.test(text) ? text : undefined;
}

function mapSection(
  section: XmlElement,
  engine: MappingEngine,
  ctx: ConversionContext,
  maps: MapSet,
  sink: EmittedResource[],
): { section: fhir4.CompositionSection; code?: string } {
  const codeEl = firstChild(section, 'code');
  const code = codeEl?.attrs.code;
  const tpls = templateIds(section);
  const smap = maps.sections.find((s) => s.code === code) ?? maps.sections.find((s) => s.templates?.some((t) => tpls.includes(t)));
  const cdaTitle = firstChild(section, 'title');
  // Map titles are French: an English reader gets the source's title.
  const title = (ctx.translating ? smap?.title : undefined) ?? (cdaTitle ? textOf(cdaTitle) : undefined) ?? smap?.title ?? code ?? 'Section';
  ctx.locator = locatorOf(section);
  const out: fhir4.CompositionSection = { title };
  // The source's own title (often in its language) stays beside the French one.
  const sourceTitle = cdaTitle ? textOf(cdaTitle) : undefined;
  if (sourceTitle && sourceTitle !== title) {
    (out as fhir4.CompositionSection & { _title?: fhir4.Element })._title = dt.withOriginalText(sourceTitle);
  }
  if (codeEl) {
    const cc = dt.codeableConcept(codeEl, ctx);
    if (cc) out.code = cc;
  }
  if (!out.code && smap) out.code = { coding: [{ system: 'http://loinc.org', code: smap.code }] };
  // The source's own narrative: it may say more than the entries (a refusal of transfusion, a maximum dose…)
  out.text = { status: 'additional', div: narrativeDiv(firstChild(section, 'text'), cdaTitle ? textOf(cdaTitle) : title, ctx.sourceLanguage) };

  const rep = { code: code ?? smap?.code ?? '', map: smap?.id, entriesSeen: 0, entriesMapped: 0, narrativeOnly: 0 } as ConversionReport['sections'][number];
  const refs: fhir4.Reference[] = [];
  const emptyReasons: string[] = [];
  // Codes of the statements that became no resource: kept on the section, nothing coded is lost.
  const unplaced: fhir4.Coding[] = [];
  for (const entry of childrenNamed(section, 'entry')) {
    const statement = entry.children.find((c): c is XmlElement => isElement(c) && c.name !== 'templateId' && c.name !== 'typeId');
    if (!statement) continue;
    rep.entriesSeen++;
    ctx.report.entries.seen++;
    const map = engine.entryMapFor(statement, smap?.entries ?? []);
    if (!map) {
      engine.emitted.length = 0;
      rep.narrativeOnly++;
      ctx.report.entries.narrativeOnly++;
      const codings = engine.takeCodings(statement);
      const tpls = templateIds(statement);
      ctx.report.narrativeOnly.push({ section: code ?? '?', locator: locatorOf(statement), templateIds: tpls, codings });
      ctx.report.entryOutcomes.push({ section: code ?? '?', locator: locatorOf(statement), outcome: 'narrative-only', reason: `no map for template(s) ${tpls.join(', ') || '(none)'}`, codings });
      unplaced.push(...codings);
      continue;
    }
    const mapped = engine.mapEntry(statement, map);
    for (const o of mapped.outcomes) {
      ctx.report.entryOutcomes.push({ section: code ?? smap?.code ?? '?', ...o });
      if (o.emptyReason) emptyReasons.push(o.emptyReason);
      if (o.codings) unplaced.push(...o.codings);
    }
    if (mapped.resources.length) {
      rep.entriesMapped++;
      ctx.report.entries.mapped++;
      for (const p of mapped.resources) refs.push({ reference: p.fullUrl });
      sink.push(...engine.emitted.splice(0));
    } else {
      engine.emitted.length = 0;
      rep.narrativeOnly++;
      ctx.report.entries.narrativeOnly++;
    }
  }
  const seen = new Set<string>();
  for (const c of unplaced) {
    const key = `${c.system}|${c.code}`;
    if (!c.code || dt.isPlaceholderCode(c.code) || seen.has(key)) continue;
    seen.add(key);
    (out.extension ??= []).push({ url: EXT.unmappedCoding, valueCoding: c });
  }
  if (refs.length) out.entry = refs;
  // Empty: a required section says why (ips-comp-1), and so does one whose source said "no information";
  // an optional section with only its narrative (plan of care, advance directives) is not "empty".
  else if (emptyReasons.length || smap?.required) {
    // "No information" said by the source, or entries that said nothing safe to structure.
    const reason = emptyReasons[0] ?? 'unavailable';
    out.emptyReason = { coding: [{ system: dt.LIST_EMPTY_REASON, code: reason, display: EMPTY_REASON_DISPLAY[reason] }] };
    ctx.translate(out.emptyReason, undefined);
    rep.emptyReason = reason;
  }
  const subsections = childrenNamed(section, 'component')
    .map((c) => firstChild(c, 'section'))
    .filter((s): s is XmlElement => !!s);
  if (subsections.length) out.section = subsections.map((s) => mapSection(s, engine, ctx, maps, sink).section);
  if (out.section?.length && out.emptyReason) delete out.emptyReason;
  ctx.report.sections.push(rep);
  return { section: out, code };
}

/** A required section the document lacks: present, empty, with the reason and a narrative. */
function absentSection(s: SectionMap, ctx: ConversionContext, isL1: boolean): fhir4.CompositionSection {
  const code: fhir4.CodeableConcept = { coding: [{ system: 'http://loinc.org', code: s.code }] };
  ctx.translate(code, undefined);
  // The document does not have the section: nothing is known either way (never "nil known").
  const emptyReason: fhir4.CodeableConcept = { coding: [{ system: dt.LIST_EMPTY_REASON, code: 'unavailable', display: 'Unavailable' }] };
  ctx.translate(emptyReason, undefined);
  // A level 1 document has the information in its PDF: the reader is sent there, not told there is none.
  const text = isL1
    ? 'Les informations de cette section figurent dans le document d’origine au format PDF (niveau 1), sans données structurées : consultez ce document (DocumentReference du patient).'
    : 'Section absente du document d’origine.';
  if (isL1) emptyReason.text = 'Dans le document PDF d’origine, non structuré';
  return { title: s.title, code, text: { status: 'generated', div: narrativeDiv(undefined, text) }, emptyReason };
}

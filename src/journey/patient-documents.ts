import { createHash } from 'node:crypto';
import type { ProfessionalContext } from '../auth/professional-context.js';
import type { Country } from '../ehdsi/countries/index.js';
import { EhdsiError } from '../ehdsi/errors/ehdsi-error.js';
import { findOriginalClinicalDocuments, findPatientSummaries, NO_PATIENT_SUMMARY } from '../ehdsi/xca-query/find.js';
import type { OrcdKind } from '../ehdsi/xca-query/orcd.js';
import type { DocumentEntry } from '../ehdsi/xca-query/response.js';
import { retrieveOriginalDocument, type RetrievedOriginalDocument } from '../ehdsi/xca-retrieve/orcd.js';
import { retrieveDocument } from '../ehdsi/xca-retrieve/retrieve.js';
import { FhirError } from '../kernel/errors.js';
import { renderSummaryPdf, translateCda } from '../documents/index.js';
import { convertPatientSummary, pdfOfLevel1, reportCounts, stableUuid } from '../mapping/index.js';
import { defaultCatalogue } from '../terminology/catalogue.js';
import type { DiscoveredPatient, StoredConsent } from '../store/index.js';
import { timeConversion } from '../util/metrics.js';
import type { ConsentAssertions } from './assertions.js';
import type { JourneyAuditContext } from './audit.js';
import type { JourneyDeps } from './deps.js';
import { DocumentCache, type CachedDocuments, type GeneratedDocument, type OriginalsOfKind, type RetrievedOriginal } from './document-cache.js';

/** Largest original clinical document retrieved when the conversion's bound is not configured (its default, MAPPING_MAX_DOCUMENT_BYTES). */
const DEFAULT_MAX_ORIGINAL_BYTES = 20 * 1024 * 1024;

/** The patient and consent a document access runs under (ownership and consent already checked). */
export interface ConsentedPatient {
  pro: ProfessionalContext;
  patient: DiscoveredPatient;
  consent: StoredConsent;
  country: Country;
}


/**
 * The access rule of the summary and the originals: the patient must be one
 * of the professional's (else 404, the same for another's and a made-up id)
 * with an active consent by this professional (else 403 naming the missing
 * consent). Checked from the store only: no eHDSI call before it passes.
 */
export async function requireConsentedPatient(deps: JourneyDeps, pro: ProfessionalContext, handle: string, audit: JourneyAuditContext, now: Date): Promise<ConsentedPatient> {
  const patient = await deps.store.getPatient(pro.nationalId, handle);
  if (!patient) throw FhirError.notFound(`Patient/${handle} n'est pas un patient que vous avez retrouvé (unknown patient)`);
  audit.country = patient.country;
  const consent = await deps.store.activeConsent(pro.nationalId, handle, now);
  if (!consent) {
    const expired = (await deps.store.listConsents(pro.nationalId, { patientHandle: handle, now })).length > 0;
    audit.outcomeDetail = expired ? 'consent-expired' : 'consent-required';
    throw new FhirError(403, {
      code: 'forbidden',
      diagnostics: expired
        ? `Le consentement du patient a expiré : enregistrez un nouveau Consent (POST /Consent) avant de consulter ses documents (consent expired)`
        : `Un consentement du patient est requis : enregistrez un Consent (POST /Consent) avant de consulter ses documents (consent required)`,
      details: { coding: [{ system: 'urn:ehdsi-fhir-facade:access-rule', code: expired ? 'consent-expired' : 'consent-required' }], text: expired ? 'Consentement expiré' : 'Consentement requis' },
    });
  }
  return { pro, patient, consent, country: deps.countries.require(patient.country) };
}

/** A copy of the cached summary: what a reader does with it never changes the cache. */
function bundleOf(json: Buffer): fhir4.Bundle {
  return JSON.parse(json.toString('utf8')) as fhir4.Bundle;
}

/** Documents of consented patients, fetched over XCA (ITI-38, ITI-39) once per consent and kept in the bounded cache. */
export class PatientDocuments {
  readonly cache: DocumentCache;

  constructor(private readonly deps: JourneyDeps, private readonly assertions: ConsentAssertions) {
    this.cache = new DocumentCache(deps.summaryCache?.maxEntries, deps.summaryCache?.maxBytes);
  }

  /** Work in progress by what it makes: concurrent first requests share one country call, one conversion, one rendering. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  private key(p: ConsentedPatient): string {
    return DocumentCache.key(p.pro.nationalId, p.patient.handle, p.consent.id);
  }

  private shared<T>(key: string, make: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const made = make().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, made);
    return made;
  }

  /** What is kept under this consent, or a new slot where nothing was asked yet. */
  private slot(p: ConsentedPatient): CachedDocuments {
    return this.cache.peek(this.key(p)) ?? { country: p.country.code, entries: [], originals: new Map() };
  }

  private keep(p: ConsentedPatient, docs: CachedDocuments): void {
    this.cache.put(this.key(p), docs, p.consent.trc.expiresAt);
  }

  /** The country's document list for the patient (ITI-38 unless cached). Empty when the country has no summary (1102). */
  async list(p: ConsentedPatient, audit: JourneyAuditContext): Promise<CachedDocuments> {
    const cached = this.cache.get(this.key(p));
    if (cached?.summaryListed) return cached;
    return this.shared(`${this.key(p)}\u0000list`, () => this.query(p, audit));
  }

  private async query(p: ConsentedPatient, audit: JourneyAuditContext): Promise<CachedDocuments> {
    audit.ehdsiTransaction = 'ITI-38';
    const found = await findPatientSummaries(
      this.deps.transport.client,
      { country: p.country.code, endpoint: p.country.endpoints.xcaQuery, homeCommunityId: p.country.homeCommunityId },
      p.patient.patientId,
      this.assertions.for(p.consent, p.pro, p.patient.patientId),
    );
    if (found.warnings.some((w) => w.errorCode === NO_PATIENT_SUMMARY)) audit.outcomeDetail = NO_PATIENT_SUMMARY;
    const docs = this.slot(p);
    docs.entries = found.entries.filter((e) => e.level !== undefined);
    docs.summaryListed = true;
    this.keep(p, docs);
    return docs;
  }

  /**
   * The patient's original clinical documents of one kind, as the country
   * lists them (ITI-38 unless cached): none when it has none (1104); a kind
   * the country does not offer (4202) is an empty list saying so.
   */
  async originalsOfKind(p: ConsentedPatient, kind: OrcdKind, audit: JourneyAuditContext): Promise<OriginalsOfKind> {
    const have = this.cache.get(this.key(p))?.originalsByKind?.get(kind);
    if (have) return have;
    return this.shared(`${this.key(p)}\u0000orcd\u0000${kind}`, () => this.queryOriginals(p, kind, audit));
  }

  private async queryOriginals(p: ConsentedPatient, kind: OrcdKind, audit: JourneyAuditContext): Promise<OriginalsOfKind> {
    audit.ehdsiTransaction = 'ITI-38';
    const found = await findOriginalClinicalDocuments(
      this.deps.transport.client,
      { country: p.country.code, endpoint: p.country.endpoints.xcaQuery, homeCommunityId: p.country.homeCommunityId },
      p.patient.patientId,
      kind,
      this.assertions.for(p.consent, p.pro, p.patient.patientId),
    );
    const listed: OriginalsOfKind = found.notOffered ? { entries: [], notOffered: found.notOffered } : { entries: found.entries };
    const docs = this.slot(p);
    (docs.originalsByKind ??= new Map()).set(kind, listed);
    this.keep(p, docs);
    return listed;
  }

  /**
   * One original clinical document (ITI-39 unless cached): the CDA wrapper,
   * checked against its entry (size, SHA-1), and the file it carries, checked
   * (media type, signature). One larger than the bound of the CDA documents
   * the facade reads (MAPPING_MAX_DOCUMENT_BYTES) is refused before it is asked for.
   */
  async originalDocument(p: ConsentedPatient, entry: DocumentEntry, audit: JourneyAuditContext): Promise<RetrievedOriginalDocument> {
    const have = this.cache.get(this.key(p))?.originalDocuments?.get(entry.uniqueId);
    if (have) return have;
    return this.shared(`${this.key(p)}\u0000orcd-document\u0000${entry.uniqueId}`, () => this.retrieveOriginal(p, entry, audit));
  }

  private async retrieveOriginal(p: ConsentedPatient, entry: DocumentEntry, audit: JourneyAuditContext): Promise<RetrievedOriginalDocument> {
    const maxBytes = this.deps.conversion?.maxBytes ?? DEFAULT_MAX_ORIGINAL_BYTES;
    if (entry.size !== undefined && entry.size > maxBytes) {
      throw new FhirError(502, {
        code: 'too-costly',
        diagnostics: `${p.country.code}: the original clinical document is ${entry.size} bytes, more than this service accepts (${maxBytes})`,
        details: { text: `Le document d’origine annoncé par le pays ${p.country.nameFr} est trop volumineux pour ce service (${entry.size} octets, au plus ${maxBytes})` },
      });
    }
    audit.ehdsiTransaction = 'ITI-39';
    const doc = await retrieveOriginalDocument(
      this.deps.transport.client,
      { country: p.country.code, endpoint: p.country.endpoints.xcaRetrieve, homeCommunityId: entry.homeCommunityId || p.country.homeCommunityId },
      entry,
      this.assertions.for(p.consent, p.pro, p.patient.patientId),
      { maxChars: maxBytes },
    );
    const docs = this.slot(p);
    (docs.originalDocuments ??= new Map()).set(entry.uniqueId, doc);
    this.keep(p, docs);
    return doc;
  }

  /** One original as received (ITI-39 unless cached). */
  async original(p: ConsentedPatient, docs: CachedDocuments, entry: DocumentEntry, audit: JourneyAuditContext): Promise<RetrievedOriginal> {
    const have = docs.originals.get(entry.uniqueId);
    if (have) return have;
    return this.shared(`${this.key(p)}\u0000original\u0000${entry.uniqueId}`, () => this.retrieve(p, docs, entry, audit));
  }

  private async retrieve(p: ConsentedPatient, docs: CachedDocuments, entry: DocumentEntry, audit: JourneyAuditContext): Promise<RetrievedOriginal> {
    audit.ehdsiTransaction = 'ITI-39';
    const doc = await retrieveDocument(
      this.deps.transport.client,
      { country: p.country.code, endpoint: p.country.endpoints.xcaRetrieve, homeCommunityId: entry.homeCommunityId || p.country.homeCommunityId },
      { homeCommunityId: entry.homeCommunityId || p.country.homeCommunityId, repositoryUniqueId: entry.repositoryUniqueId, documentUniqueId: entry.uniqueId },
      this.assertions.for(p.consent, p.pro, p.patient.patientId),
    );
    const original = { entry, cda: doc.data };
    docs.originals.set(entry.uniqueId, original);
    this.cache.put(this.key(p), docs, p.consent.trc.expiresAt);
    return original;
  }

  /**
   * The IPS document Bundle in French: the level 3 document converted (the
   * level 1 one when the country has no level 3). 404 with the eHDSI 1102
   * answer when the country holds no summary for the patient.
   */
  async summary(p: ConsentedPatient, audit: JourneyAuditContext, baseUrl: string): Promise<fhir4.Bundle> {
    const docs = await this.list(p, audit);
    if (docs.summaryJson) return bundleOf(docs.summaryJson);
    const entry = docs.entries.find((e) => e.level === 'L3') ?? docs.entries.find((e) => e.level === 'L1');
    if (!entry) throw new EhdsiError(p.country.code, 'xca-query', NO_PATIENT_SUMMARY);
    const original = await this.original(p, docs, entry, audit);
    // (a concurrent request may have converted it meanwhile: one Bundle per consent, the one every document renders)
    if (docs.summaryJson) return bundleOf(docs.summaryJson);
    // The Bundle's Patient is the one the professional found: same id, URL and identifiers.
    const patient = { id: p.patient.handle, fullUrl: `${baseUrl}/Patient/${p.patient.handle}`, identifier: p.patient.demographics.identifier, address: p.patient.demographics.address };
    const { bundle, report } = timeConversion(entry.level, () => convertPatientSummary(original.cda, { language: 'fr-FR', ...this.deps.conversion, patient, sourceCountry: p.country.code }));
    this.deps.logger.debug({ conversion: reportCounts(report) }, 'patient summary converted');
    docs.summaryJson = Buffer.from(JSON.stringify(bundle));
    this.cache.put(this.key(p), docs, p.consent.trc.expiresAt);
    return bundle;
  }

  /**
   * The French summary as a PDF, rendered from the translated Bundle on first
   * demand, then kept with it. Undefined when the country sent no level 3
   * document (a level 1 PDF has nothing to translate).
   */
  async frenchPdf(p: ConsentedPatient, docs: CachedDocuments, audit: JourneyAuditContext, baseUrl: string): Promise<GeneratedDocument | undefined> {
    if (docs.frenchPdf) return docs.frenchPdf;
    if (!summarySource(docs)) return undefined;
    return this.shared(`${this.key(p)}\u0000fr-PDF`, async () => {
      const bundle = await this.summary(p, audit, baseUrl);
      const now = this.now();
      docs.frenchPdf = generated('fr-PDF', await renderSummaryPdf(bundle, { generatedAt: now }), now);
      this.cache.put(this.key(p), docs, p.consent.trc.expiresAt);
      return docs.frenchPdf;
    });
  }

  /** The summary's level 3 original with French designations (OpenNCP's way), made on first demand. */
  async translatedCda(p: ConsentedPatient, docs: CachedDocuments, audit: JourneyAuditContext): Promise<GeneratedDocument | undefined> {
    if (docs.translatedCda) return docs.translatedCda;
    const entry = summarySource(docs);
    if (!entry) return undefined;
    const original = await this.original(p, docs, entry, audit);
    const conversion = this.deps.conversion;
    // (synchronous: no other request can start the same work meanwhile)
    const { xml } = translateCda(original.cda, { catalogue: defaultCatalogue(conversion?.terminologyPath), language: conversion?.language ?? 'fr-FR', maxBytes: conversion?.maxBytes });
    docs.translatedCda ??= generated('fr-L3', xml, this.now());
    this.cache.put(this.key(p), docs, p.consent.trc.expiresAt);
    return docs.translatedCda;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** A French document as kept: a document of its own, with a name-based id from its bytes. */
function generated(kind: 'fr-PDF' | 'fr-L3', bytes: Buffer, at: Date): GeneratedDocument {
  return { bytes, created: at.toISOString(), uniqueId: `urn:uuid:${stableUuid(`${kind}|${createHash('sha256').update(bytes).digest('hex')}`)}` };
}

/** The PDF a level 1 original wraps, read once. */
export function pdfOf(original: RetrievedOriginal): Buffer | undefined {
  if (original.pdf === undefined) original.pdf = pdfOfLevel1(original.cda) ?? null;
  return original.pdf ?? undefined;
}

/** The level 3 original the summary is made from: the first the country listed. */
export function summarySource(docs: CachedDocuments): DocumentEntry | undefined {
  return docs.entries.find((e) => e.level === 'L3');
}

/** The entries of one level, in the country's order; the rank of an entry is its index here. */
export function entriesOfLevel(docs: CachedDocuments, level: 'L3' | 'L1'): DocumentEntry[] {
  return docs.entries.filter((e) => e.level === level);
}

/**
 * A bounded in-memory cache of what a country sent under one consent: the
 * document list, the retrieved documents, the converted summary and the
 * French documents made from it; the lists of original clinical documents
 * (one per kind) and those retrieved. Never written to disk; an entry ends
 * with its consent, and the least recently used entries go first when the
 * count or byte bound is reached.
 */
import type { OrcdKind } from '../ehdsi/xca-query/orcd.js';
import type { DocumentEntry } from '../ehdsi/xca-query/response.js';
import type { RetrievedOriginalDocument } from '../ehdsi/xca-retrieve/orcd.js';
import { countCacheLookup, trackDocumentCache, type CacheFill } from '../util/metrics.js';

export interface RetrievedOriginal {
  entry: DocumentEntry;
  /** The CDA as received. */
  cda: Buffer;
  /** Read from it once, on first listing (each would otherwise parse the whole CDA again). */
  facts?: { language?: string; created?: string };
  /** Level 1: the PDF it wraps (null: none). */
  pdf?: Buffer | null;
}

/** One kind of original clinical documents as the country listed them (ITI-38). */
export interface OriginalsOfKind {
  entries: DocumentEntry[];
  /** The country does not offer this kind (the eHDSI code it answered, 4202): no entries. */
  notOffered?: string;
}

export interface CachedDocuments {
  country: string;
  /** The patient summary's list was asked (ITI-38): `entries` is it. */
  summaryListed?: boolean;
  entries: DocumentEntry[];
  /** By XDS uniqueId. */
  originals: Map<string, RetrievedOriginal>;
  /**
   * The converted summary (IPS document Bundle) as its JSON bytes: kept
   * compact (an object graph weighs several times its JSON in the heap), and
   * each reader gets its own copy of the one Bundle of this consent.
   */
  summaryJson?: Buffer;
  /** The French documents made from the summary's level 3 original, once asked for. */
  frenchPdf?: GeneratedDocument;
  translatedCda?: GeneratedDocument;
  /** Original clinical documents: the list of each kind asked, and those retrieved (by XDS uniqueId). */
  originalsByKind?: Map<OrcdKind, OriginalsOfKind>;
  originalDocuments?: Map<string, RetrievedOriginalDocument>;
}

/** A document the facade made, when (FHIR instant), and its unique id (a name-based urn:uuid of its bytes). */
export interface GeneratedDocument {
  bytes: Buffer;
  created: string;
  uniqueId: string;
}

interface Slot {
  value: CachedDocuments;
  expiresAt: number;
}

export const DEFAULT_CACHE_ENTRIES = 200;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export class DocumentCache {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly maxEntries = DEFAULT_CACHE_ENTRIES, private readonly maxBytes = DEFAULT_CACHE_BYTES, private readonly now: () => number = Date.now) {
    trackDocumentCache(this);
  }

  static key(owner: string, patientHandle: string, consentId: string): string {
    return `${owner}\u0000${patientHandle}\u0000${consentId}`;
  }

  /** The entry of `key`, if kept and not expired, neither counted in the metrics nor made the most recently used. */
  peek(key: string): CachedDocuments | undefined {
    const slot = this.slots.get(key);
    return slot && slot.expiresAt > this.now() ? slot.value : undefined;
  }

  /** The entry of `key`, if kept and not expired (each lookup counts as a hit or a miss in the metrics). */
  get(key: string): CachedDocuments | undefined {
    const slot = this.slots.get(key);
    if (!slot) {
      countCacheLookup(false);
      return undefined;
    }
    if (slot.expiresAt <= this.now()) {
      this.slots.delete(key);
      countCacheLookup(false);
      return undefined;
    }
    countCacheLookup(true);
    // Most recently used last.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Stores (or re-stores after a change) an entry until `expiresAt`, then enforces the bounds. */
  put(key: string, value: CachedDocuments, expiresAt: Date): void {
    this.slots.delete(key);
    if (expiresAt.getTime() <= this.now()) return;
    this.slots.set(key, { value, expiresAt: expiresAt.getTime() });
    this.evict(key);
  }

  size(): number {
    return this.slots.size;
  }

  /** Entries and bytes against the bounds (the /metrics gauges). */
  fill(): CacheFill {
    return { entries: this.slots.size, bytes: this.bytes(), maxEntries: this.maxEntries, maxBytes: this.maxBytes };
  }

  bytes(): number {
    let total = 0;
    for (const s of this.slots.values()) total += sizeOf(s.value);
    return total;
  }

  private evict(keep: string): void {
    const now = this.now();
    for (const [k, s] of this.slots) if (s.expiresAt <= now) this.slots.delete(k);
    let total = this.bytes();
    for (const [k, s] of this.slots) {
      if (this.slots.size <= this.maxEntries && total <= this.maxBytes) break;
      if (k === keep && this.slots.size === 1) {
        // A single entry larger than the bound is not kept.
        if (total > this.maxBytes) this.slots.delete(k);
        break;
      }
      if (k === keep) continue;
      total -= sizeOf(s.value);
      this.slots.delete(k);
    }
  }
}

function sizeOf(v: CachedDocuments): number {
  let n = (v.summaryJson?.byteLength ?? 0) + (v.frenchPdf?.bytes.byteLength ?? 0) + (v.translatedCda?.bytes.byteLength ?? 0);
  for (const o of v.originals.values()) n += o.cda.byteLength;
  for (const o of v.originalDocuments?.values() ?? []) n += o.cda.byteLength + o.data.byteLength;
  return n;
}

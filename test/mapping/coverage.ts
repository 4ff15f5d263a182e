import { DOMParser, type Element as XmlDomElement } from '@xmldom/xmldom';
import { systemUri } from '../../src/terminology/code-systems.js';
import type { ConversionReport } from '../../src/mapping/index.js';

/**
 * Loss check, independent of the engine's own parser: every coded element
 * (code + codeSystem) inside a section entry of the source must come out as a
 * coding of the Bundle (a coding, or flagged in the cda-unmapped-coding
 * extension); placeholders ("...", no letter or digit) only in the report.
 */
export function sourceEntryCodes(xml: string): Set<string> {
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const doc = new DOMParser().parseFromString(text, 'text/xml');
  const out = new Set<string>();
  const walk = (el: XmlDomElement, inEntry: boolean): void => {
    const here = inEntry || el.localName === 'entry';
    if (here) {
      const code = el.getAttribute('code');
      const system = el.getAttribute('codeSystem');
      if (code && system && /[\p{L}\p{N}]/u.test(code)) out.add(`${systemUri(system)}|${code}`);
    }
    for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) walk(c as XmlDomElement, here);
  };
  walk(doc.documentElement as unknown as XmlDomElement, false);
  return out;
}

export function outputCodes(bundle: fhir4.Bundle, report: ConversionReport): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.system === 'string' && typeof o.code === 'string') out.add(`${o.system}|${o.code}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(bundle);
  // structural codes (the ActClass CONC of a concern act…) only say how the CDA is built
  for (const c of report.structuralCodings) out.add(`${c.system}|${c.code}`);
  return out;
}

/** Source codes of entries found neither in the Bundle nor among the report's flagged items. */
export function lostCodes(xml: string, bundle: fhir4.Bundle, report: ConversionReport): string[] {
  const kept = outputCodes(bundle, report);
  return [...sourceEntryCodes(xml)].filter((c) => !kept.has(c));
}

import { escapeXml, langAttr, NarrativeWriter, type NarrativeSpan } from './narrative-writer.js';
import type { XmlElement } from './xml-tree.js';

/*
 * A section's <text> as the div of a FHIR Narrative: the XHTML written while
 * parsing (narrative-writer.ts), or, for a <text> kept as a tree, the same
 * writer fed from the tree.
 */

/** Feeds a narrative element (tree form) to a writer. */
function feed(el: XmlElement, w: NarrativeWriter): void {
  for (const c of el.children) {
    if (typeof c === 'string') w.text(c);
    else {
      w.start(c.name, c.attrs);
      feed(c, w);
      w.end();
    }
  }
}

/** The section's <text> as the div of a FHIR Narrative (never empty). */
export function narrativeDiv(text: XmlElement | undefined, fallback: string, lang?: string): string {
  let body = text?.xhtml;
  if (body === undefined && text) {
    const w = new NarrativeWriter(new Map<string, NarrativeSpan>());
    feed(text, w);
    body = w.result();
  }
  // The source's narrative says in which language it is written.
  const language = body ? langAttr(lang) : '';
  return `<div xmlns="http://www.w3.org/1999/xhtml"${language}>${body ? body : `<p>${escapeXml(fallback)}</p>`}</div>`;
}

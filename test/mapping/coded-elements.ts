import { isElement, parseXml, type XmlElement } from '../../src/mapping/xml-tree.js';
import { systemUri } from '../../src/terminology/code-systems.js';

export interface CodedElement {
  system: string;
  code: string;
  display?: string;
}

/** Every coded element (code + codeSystem) of a CDA document, de-duplicated by system and code. */
export function codedElementsOf(cda: string | Buffer | XmlElement): CodedElement[] {
  const root = typeof cda === 'string' || Buffer.isBuffer(cda) ? parseXml(cda) : cda;
  const seen = new Map<string, CodedElement>();
  const walk = (el: XmlElement): void => {
    const { code, codeSystem, displayName } = el.attrs;
    if (code && codeSystem) {
      const system = systemUri(codeSystem);
      const key = `${system}|${code}`;
      const known = seen.get(key);
      if (!known) seen.set(key, { system, code, display: displayName });
      else if (!known.display && displayName) known.display = displayName;
    }
    for (const c of el.children) if (isElement(c)) walk(c);
  };
  walk(root);
  return [...seen.values()];
}

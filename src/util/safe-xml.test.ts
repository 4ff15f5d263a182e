import { checkXml, readXml, readXmlNS, XML_LIMITS, XmlPolicyError } from './safe-xml.js';

const problemOf = (f: () => void): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof XmlPolicyError ? e.problem : `other: ${(e as Error).message}`;
  }
  return undefined;
};

describe('the safe-XML policy', () => {
  it('stops at the depth limit: no element beyond it reaches a handler, whatever the depth of the document', () => {
    for (const levels of [XML_LIMITS.maxDepth + 1, 100_000]) {
      let opened = 0;
      let deepest = 0;
      const text = '<a>'.repeat(levels) + '</a>'.repeat(levels);
      const started = Date.now();
      expect(problemOf(() => readXml(text, { opentag: (_t, at) => {
        opened++;
        deepest = Math.max(deepest, at.depth);
      } }))).toBe('too-deep');
      expect(opened).toBe(XML_LIMITS.maxDepth);
      expect(deepest).toBe(XML_LIMITS.maxDepth);
      expect(Date.now() - started).toBeLessThan(2_000); // (linear, and stopped early: milliseconds)
    }
    const atLimit = '<a>'.repeat(XML_LIMITS.maxDepth) + '</a>'.repeat(XML_LIMITS.maxDepth);
    expect(problemOf(() => readXmlNS(atLimit, {}))).toBeUndefined();
    expect(problemOf(() => checkXml('<a><b><c/></b></a>', { limits: { maxDepth: 2 } }))).toBe('too-deep');
  });

  it('refuses a DOCTYPE before any element, so no entity is ever declared or expanded', () => {
    let opened = 0;
    const lol = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>';
    expect(problemOf(() => readXml(lol, { opentag: () => opened++ }))).toBe('doctype');
    expect(opened).toBe(0);
    expect(problemOf(() => checkXml('<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>'))).toBe('doctype');
    // An entity that is not one of XML's five is simply not well-formed.
    expect(problemOf(() => checkXml('<r>&xxe;</r>'))).toBe('not-xml');
  });

  it('counts attributes as they come and stops at the first one too many; bounds attribute values', () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => `a${i}="x"`).join(' ');
    expect(problemOf(() => checkXml(`<r ${attrs(XML_LIMITS.maxAttributes)}/>`))).toBeUndefined();
    expect(problemOf(() => readXmlNS(`<r ${attrs(XML_LIMITS.maxAttributes + 1)}/>`, {}))).toBe('too-many-attributes');
    expect(problemOf(() => checkXml('<r a="1" b="2"/>', { limits: { maxAttributes: 1 } }))).toBe('too-many-attributes');
    expect(problemOf(() => checkXml(`<r a="${'x'.repeat(XML_LIMITS.maxAttributeChars + 1)}"/>`))).toBe('attribute-too-long');
    expect(problemOf(() => checkXml('<r a="12345"/>', { limits: { maxAttributeChars: 4 } }))).toBe('attribute-too-long');
  });

  it('refuses oversize text before parsing, and reports malformed XML with the parser\'s words', () => {
    expect(problemOf(() => checkXml('<r>xxxxxxxxxx</r>', { limits: { maxBytes: 10 } }))).toBe('too-large');
    expect(() => readXml('<a><b></a>', {}, { position: true })).toThrow(/1:\d+/);
    expect(problemOf(() => checkXml('not xml'))).toBe('not-xml');
  });

  it('passes what a handler throws through as it is', () => {
    class Mine extends Error {}
    expect(() => readXml('<r><s/></r>', { opentag: (t) => {
      if (t.name === 's') throw new Mine('mine');
    } })).toThrow(Mine);
  });

  it('gives the handlers the depth and the offset of each element, namespaces resolved in readXmlNS', () => {
    const seen: string[] = [];
    readXmlNS('<r xmlns="urn:r" xmlns:p="urn:p"><p:s/>text<![CDATA[<x>]]></r>', {
      opentag: (t, at) => seen.push(`open ${t.local} {${t.uri}} ${at.depth} @${at.position}`),
      closetag: (t, at) => seen.push(`close ${t.local} ${at.depth}`),
      text: (t) => seen.push(`text ${t}`),
      cdata: (t) => seen.push(`cdata ${t}`),
    });
    expect(seen).toEqual(['open r {urn:r} 1 @33', 'open s {urn:p} 2 @39', 'close s 2', 'text text', 'cdata <x>', 'close r 1']);
  });
});

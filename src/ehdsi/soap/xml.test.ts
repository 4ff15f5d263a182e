import { assertSafeXml, attr, MAX_XML_DEPTH, parseXml, text, XmlSafetyError } from './xml.js';

describe('safe XML parsing', () => {
  it('refuses DOCTYPE and entity declarations, whatever their case or spacing', () => {
    for (const hostile of [
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      '<?xml version="1.0"?><!doctype x><x/>',
      '<x><! ENTITY y "z"></x>',
    ]) expect(() => parseXml(hostile)).toThrow(XmlSafetyError);
  });

  it('refuses malformed XML, an oversized document and absurd nesting', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlSafetyError);
    expect(() => parseXml('not xml')).toThrow(XmlSafetyError);
    expect(() => assertSafeXml('<a>xxxxxxxx</a>', 10)).toThrow(/larger/);
    const deep = '<a>'.repeat(MAX_XML_DEPTH + 1) + '</a>'.repeat(MAX_XML_DEPTH + 1);
    expect(() => parseXml(deep)).toThrow(/deeper/);
    const ok = '<a>'.repeat(MAX_XML_DEPTH) + '</a>'.repeat(MAX_XML_DEPTH);
    expect(parseXml(ok).documentElement?.localName).toBe('a');
  });

  it('counts only elements as nesting: not comments, CDATA, processing instructions or ">" in attributes', () => {
    const inner = '<?pi <b>?><!-- <b><c> --><![CDATA[<d><e>]]><f x="1>2" y=\'/\'/>';
    const atLimit = '<a>'.repeat(MAX_XML_DEPTH - 1) + inner + '</a>'.repeat(MAX_XML_DEPTH - 1);
    expect(() => assertSafeXml(atLimit)).not.toThrow();
    expect(() => assertSafeXml(`<a>${atLimit}</a>`)).toThrow(/deeper/);
  });

  it('refuses too many attributes on one element and overlong attribute values', () => {
    expect(() => parseXml(`<a ${Array.from({ length: 300 }, (_, i) => `x${i}="1"`).join(' ')}/>`)).toThrow(/more than 256 attributes/);
    expect(() => parseXml(`<a x="${'y'.repeat(1024 * 1024 + 1)}"/>`)).toThrow(/attribute value longer than/);
  });

  it('decodes the predefined and numeric character references, and reads attributes by local name', () => {
    const doc = parseXml('<r xmlns:p="urn:p" p:code="A&amp;B">0410^^^&amp;1.2&amp;ISO &#233;&#x41;&lt;</r>');
    expect(text(doc.documentElement)).toBe('0410^^^&1.2&ISO éA<');
    expect(attr(doc.documentElement, 'code')).toBe('A&B');
  });
});

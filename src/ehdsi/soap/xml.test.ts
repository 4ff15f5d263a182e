import { assertSafeXml, attr, elementDepth, MAX_XML_DEPTH, parseXml, text, XmlSafetyError } from './xml.js';

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

  it('measures depth past comments, CDATA, processing instructions, self-closing tags and ">" in attributes', () => {
    expect(elementDepth('<?xml version="1.0"?><a x="1>2" y=\'/\'><!-- <b><c> --><![CDATA[<d><e>]]><f/><g><h/></g></a>')).toBe(2);
  });

  it('decodes the predefined and numeric character references, and reads attributes by local name', () => {
    const doc = parseXml('<r xmlns:p="urn:p" p:code="A&amp;B">0410^^^&amp;1.2&amp;ISO &#233;&#x41;&lt;</r>');
    expect(text(doc.documentElement)).toBe('0410^^^&1.2&ISO éA<');
    expect(attr(doc.documentElement, 'code')).toBe('A&B');
  });
});

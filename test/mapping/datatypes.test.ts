import { compilePath } from '../../src/mapping/cda-path.js';
import { address, contactPoint, dateTimeOrPeriod, identifier, period, quantity, timestamp } from '../../src/mapping/datatypes.js';
import { narrativeDiv } from '../../src/mapping/narrative.js';
import { firstChild, parseXml, type XmlElement } from '../../src/mapping/xml-tree.js';

const el = (xml: string): XmlElement => parseXml(xml);

describe('CDA data types', () => {
  it('TS keeps the precision and the time zone of the source', () => {
    expect(timestamp('2019')).toBe('2019');
    expect(timestamp('201905')).toBe('2019-05');
    expect(timestamp('20190508')).toBe('2019-05-08');
    expect(timestamp('20191122143500+0200')).toBe('2019-11-22T14:35:00+02:00');
    expect(timestamp('201911221435-0500')).toBe('2019-11-22T14:35:00-05:00');
    expect(timestamp('20191122143501.123+0000')).toBe('2019-11-22T14:35:01.123+00:00');
    // FHIR needs a zone with a time of day: without one the date is kept
    expect(timestamp('20191122143500')).toBe('2019-11-22');
    expect(timestamp('not a date')).toBeUndefined();
  });

  it('IVL_TS → Period, a point or an interval → dateTime or Period', () => {
    expect(period(el('<effectiveTime><low value="2010"/><high value="20120301"/></effectiveTime>'))).toEqual({ start: '2010', end: '2012-03-01' });
    expect(dateTimeOrPeriod(el('<effectiveTime value="20100102"/>'))).toEqual({ suffix: 'DateTime', value: '2010-01-02' });
    expect(dateTimeOrPeriod(el('<effectiveTime><low value="2010"/></effectiveTime>'))).toEqual({ suffix: 'Period', value: { start: '2010' } });
    expect(dateTimeOrPeriod(el('<effectiveTime><low value="2010"/><high nullFlavor="UNK"/></effectiveTime>'))).toEqual({ suffix: 'Period', value: { start: '2010' } });
    expect(dateTimeOrPeriod(el('<effectiveTime nullFlavor="NA"/>'))).toBeUndefined();
  });

  it('II → Identifier with OIDs as URIs', () => {
    expect(identifier(el('<id root="2.999.1" extension="A-1"/>'))).toEqual({ system: 'urn:oid:2.999.1', value: 'A-1' });
    expect(identifier(el('<id root="2.999.1"/>'))).toEqual({ system: 'urn:ietf:rfc:3986', value: 'urn:oid:2.999.1' });
    expect(identifier(el('<id root="6B29FC40-CA47-1067-B31D-00DD010662DA"/>'))).toEqual({ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:6b29fc40-ca47-1067-b31d-00dd010662da' });
    expect(identifier(el('<id nullFlavor="NI"/>'))).toBeUndefined();
  });

  it('PQ → Quantity with UCUM, TEL → ContactPoint, AD → Address', () => {
    expect(quantity(el('<value value="2.5" unit="mL"/>'))).toEqual({ value: 2.5, unit: 'mL', system: 'http://unitsofmeasure.org', code: 'mL' });
    expect(quantity(el('<value value="x" unit="mL"/>'))).toBeUndefined();
    expect(contactPoint(el('<telecom value="mailto:a@b.eu" use="WP"/>'))).toEqual({ system: 'email', value: 'a@b.eu', use: 'work' });
    expect(contactPoint(el('<telecom value="tel:+351 21"/>'))).toEqual({ system: 'phone', value: '+351 21' });
    expect(address(el('<addr><streetAddressLine>1 Rua</streetAddressLine><city>Lisboa</city><country>PT</country></addr>'))).toEqual({ line: ['1 Rua'], city: 'Lisboa', country: 'PT' });
  });
});

describe('XML tree and paths', () => {
  it('reads any namespace prefix, xsi:type under any prefix, and a byte-order mark', () => {
    const doc = parseXml('\ufeff<a:x xmlns:a="urn:hl7-org:v3" xmlns:q="http://www.w3.org/2001/XMLSchema-instance"><a:value q:type="PQ" value="1"/></a:x>');
    expect(doc).toMatchObject({ name: 'x', ns: 'urn:hl7-org:v3' });
    expect(firstChild(doc, 'value')!.attrs).toMatchObject({ 'xsi:type': 'PQ', value: '1' });
    const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<x xmlns="urn:hl7-org:v3"/>')]);
    expect(parseXml(buf).name).toBe('x');
  });

  it('follows namespace declarations below the root and refuses unbound prefixes', () => {
    const doc = parseXml('<x xmlns="urn:hl7-org:v3"><y xmlns:p="urn:epsos-org:ep:medication" xmlns:s="http://www.w3.org/2001/XMLSchema-instance"><p:z s:type="PQ"/></y></x>');
    const z = firstChild(firstChild(doc, 'y')!, 'z')!;
    expect(z).toMatchObject({ name: 'z', ns: 'urn:epsos-org:ep:medication' });
    expect(z.attrs['xsi:type']).toBe('PQ');
    expect(() => parseXml('<x xmlns="urn:hl7-org:v3"><q:y/></x>')).toThrow(/unbound namespace prefix "q"/);
    const scoped = parseXml('<x xmlns="urn:hl7-org:v3"><y xmlns="urn:other"><z/></y><w/></x>');
    expect(firstChild(firstChild(scoped, 'y')!, 'z')!.ns).toBe('urn:other');
    expect(firstChild(scoped, 'w')!.ns).toBe('urn:hl7-org:v3');
  });

  it('compiles paths with predicates, parents, alternatives and attributes', () => {
    const doc = parseXml(`<act><templateId root="1"/><statusCode code="active"/>
      <entryRelationship typeCode="SUBJ"><observation><templateId root="2"/><code code="A"/><value code="v1"/></observation></entryRelationship>
      <entryRelationship typeCode="REFR"><observation><code code="33999-4"/><value code="v2"/></observation></entryRelationship></act>`);
    const obs = compilePath("entryRelationship[@typeCode='SUBJ']/observation").first(doc)!;
    expect(compilePath('../../statusCode/@code').value(obs)).toBe('active');
    expect(compilePath("entryRelationship/observation[code/@code='33999-4']/value/@code").value(doc)).toBe('v2');
    expect(compilePath("entryRelationship/observation[tpl='2']/value/@code").value(doc)).toBe('v1');
    expect(compilePath('entryRelationship[2]/observation/value/@code').value(doc)).toBe('v2');
    expect(compilePath("entryRelationship/observation[not(templateId)]/code/@code").values(doc)).toEqual(['33999-4']);
    expect(compilePath('nothing/@code | statusCode/@code').value(doc)).toBe('active');
    expect(compilePath('entryRelationship/observation/value').elements(doc)).toHaveLength(2);
    expect(compilePath('statusCode/@code').isAttribute).toBe(true);
  });

  it('turns the narrative into safe XHTML', () => {
    const text = parseXml('<text><paragraph ID="p1" styleCode="Bold">a &amp; b</paragraph><list listType="ordered"><item>x</item></list><linkHtml href="javascript:alert(1)">l</linkHtml><table><tr><td onclick="x()">c</td></tr></table></text>');
    expect(narrativeDiv(text, '-')).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml"><p id="p1" class="Bold">a &amp; b</p><ol><li>x</li></ol><a>l</a><table><tr><td>c</td></tr></table></div>',
    );
    expect(narrativeDiv(undefined, 'Rien')).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>Rien</p></div>');
  });
});

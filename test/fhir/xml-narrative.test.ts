import { resourceToXml, xmlToResource } from '../../src/fhir/xml.js';

describe('FHIR XML of a resource with a narrative', () => {
  const div = '<div xmlns="http://www.w3.org/1999/xhtml" lang="fr-FR" xml:lang="fr-FR">Comprimé<sup class="reviewed">†</sup> <span class="original" lang="hr-HR" xml:lang="hr-HR">(tableta)</span>\n <td></td></div>';
  const resource = { resourceType: 'Basic', text: { status: 'generated', div }, code: { text: 'x' } } as never;

  it('keeps the narrative as it is, whitespace between tags included, compact and pretty', () => {
    for (const pretty of [false, true]) {
      const xml = resourceToXml(resource, pretty);
      expect(xml).toContain(div);
      expect(xmlToResource(xml).resourceType).toBe('Basic');
    }
  });

  it('leaves the resource it was given unchanged', () => {
    resourceToXml(resource);
    expect((resource as { text: { div: string } }).text.div).toBe(div);
  });
});

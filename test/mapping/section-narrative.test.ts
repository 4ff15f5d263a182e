// The section narrative generated from the structured entries (src/mapping/section-narrative.ts):
// small hand-built resources per type, then the sections of converted fixtures.
import { readFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { escapeXml } from '../../src/mapping/narrative.js';
import { COLUMN_KEYS, loadNarrativeLabels, sectionNarrative, WORD_KEYS } from '../../src/mapping/section-narrative.js';
import { projectPath } from '../../src/util/project.js';

const EXT = {
  originalText: 'http://hl7.org/fhir/StructureDefinition/originalText',
  untranslated: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/untranslated',
  designationSource: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/designation-source',
  dataAbsentReason: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
  productName: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/medication-product-name',
  qualifier: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/cda-qualifier',
};
const SCT = 'http://snomed.info/sct';
const PROPOSED = '<sup class="proposed" title="traduction du projet, non validée">*</sup>';
const LEGEND = '<p class="legend">* traduction du projet, non validée par un terminologue</p>';

type Resource = fhir4.FhirResource;

/** Renders a section whose entries are the given resources (urn:uuid:0, 1…); `others` are only resolvable. */
function render(entries: Resource[], opts: { language?: string; sourceLanguage?: string; others?: Record<string, Resource> } = {}): string | undefined {
  const byRef = new Map<string, Resource>(Object.entries(opts.others ?? {}));
  entries.forEach((r, i) => byRef.set(`urn:uuid:${i}`, r));
  const section: fhir4.CompositionSection = { entry: entries.map((_, i) => ({ reference: `urn:uuid:${i}` })) };
  return sectionNarrative(section, (ref) => byRef.get(ref), { language: opts.language ?? 'fr-FR', sourceLanguage: opts.sourceLanguage });
}

/** A concept translated by the project's catalogue (status proposed unless said), the source's text kept. */
function translated(text: string, display: string, originalText?: string, status = 'proposed'): fhir4.CodeableConcept {
  const extension: fhir4.Extension[] = [];
  if (originalText) extension.push({ url: EXT.originalText, valueString: originalText });
  extension.push({
    url: EXT.designationSource,
    extension: [
      { url: 'catalogue', valueString: 'Catalogue du projet' },
      { url: 'status', valueCode: status },
      { url: 'language', valueCode: 'fr-FR' },
    ],
  });
  return { coding: [{ system: SCT, code: '1', display }], text, extension };
}

function untranslated(text: string, display?: string): fhir4.CodeableConcept {
  return { coding: [{ system: SCT, code: '2', display }], text, extension: [{ url: EXT.untranslated, valueCode: 'fr-FR' }] };
}

const ALLOWED_ELEMENTS = new Set(['div', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'sup', 'ul', 'li', 'b', 'i', 'br']);
const ALLOWED_ATTRIBUTES = new Set(['class', 'lang', 'xml:lang', 'title', 'id', 'xmlns']);

/** Parses the div as XML (saxes) and returns what is wrong with it as FHIR narrative XHTML. */
function xhtmlProblems(div: string): string[] {
  const problems: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (e) => problems.push(e.message));
  parser.on('opentag', (tag) => {
    if (tag.uri !== 'http://www.w3.org/1999/xhtml') problems.push(`${tag.name} outside XHTML`);
    if (!ALLOWED_ELEMENTS.has(tag.local)) problems.push(`element ${tag.name}`);
    for (const a of Object.keys(tag.attributes)) if (!ALLOWED_ATTRIBUTES.has(a)) problems.push(`attribute ${a} on ${tag.name}`);
  });
  try {
    parser.write(div).close();
  } catch (e) {
    problems.push((e as Error).message);
  }
  return problems;
}

/** The cells of each body row, as markup. */
function rows(div: string): string[][] {
  return [...div.matchAll(/<tr(?: class="member")?>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((c) => c[1]));
}

/** Heading row, then body rows, as {heading: cell}. */
function table(div: string): Array<Record<string, string>> {
  const [head, ...body] = rows(div);
  return body.map((cells) => Object.fromEntries(head.map((h, i) => [h, cells[i]])));
}

describe('sectionNarrative', () => {
  it('has nothing to say for a section without entries, or whose entries do not resolve', () => {
    expect(sectionNarrative({ title: 'x' }, () => undefined, { language: 'fr-FR' })).toBeUndefined();
    expect(sectionNarrative({ entry: [{ reference: 'urn:uuid:nowhere' }] }, () => undefined, { language: 'fr-FR' })).toBeUndefined();
  });

  it('renders allergies: agent with the original beside, reactions, words of the codes, partial dates, the proposed marker and its legend once', () => {
    const penicillin: fhir4.AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      patient: { reference: 'urn:uuid:p' },
      code: translated('Pénicilline', 'Penicillin', 'Penicilin'),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: translated('Confirmée', 'Confirmed', 'Confirmed', 'reviewed'),
      type: 'allergy',
      category: ['medication'],
      criticality: 'high',
      onsetDateTime: '2004-06',
      reaction: [
        { manifestation: [translated('Urticaire', 'Urticaria', 'Urtikarija')], severity: 'moderate' },
        { manifestation: [translated('Œdème de Quincke', 'Angioedema', 'Angioedem')] },
      ],
      note: [{ text: 'Réaction en 2004 <après> injection & perfusion' }],
    };
    const div = render([penicillin], { sourceLanguage: 'hr-HR' })!;
    expect(xhtmlProblems(div)).toEqual([]);
    expect(div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml" lang="fr-FR" xml:lang="fr-FR"><table')).toBe(true);
    const [row] = table(div);
    expect(row.Agent).toBe(`Pénicilline${PROPOSED} <span class="original" lang="hr-HR" xml:lang="hr-HR">(Penicilin)</span>`);
    expect(row['Réaction(s)']).toContain('Urticaire');
    expect(row['Réaction(s)']).toContain('<br/>Œdème de Quincke');
    expect(row['Sévérité']).toBe('modérée<br/>');
    expect(row['Criticité']).toBe('élevée');
    expect(row['Statut clinique']).toBe('active');
    // reviewed: no marker; an originalText that is the English display is marked English
    expect(row['Vérification']).toBe('Confirmée <span class="original" lang="en" xml:lang="en">(Confirmed)</span>');
    expect(row.Type).toBe('allergie, médicament');
    expect(row['Début']).toBe('06/2004');
    expect(row.Remarque).toBe('Réaction en 2004 &lt;après&gt; injection &amp; perfusion');
    expect(div.split(LEGEND)).toHaveLength(2);
    expect(div.endsWith(`${LEGEND}</div>`)).toBe(true);
  });

  it('shows a known absence as a row, its code text saying it', () => {
    const none: fhir4.AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      patient: {},
      code: { coding: [{ system: SCT, code: '716186003', display: 'No known allergy (situation)' }], text: 'Aucune allergie connue' },
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    };
    const div = render([none])!;
    expect(table(div)).toEqual([
      { Agent: 'Aucune allergie connue <span class="original" lang="en" xml:lang="en">(No known allergy (situation))</span>', 'Statut clinique': 'active' },
    ]);
    expect(div).not.toContain('legend');
  });

  it('flags an untranslated term, shows the English display beside it, and renders qualifiers and dates with time', () => {
    const fracture: fhir4.Condition = {
      resourceType: 'Condition',
      subject: {},
      code: untranslated('Κάταγμα διάφυσης βραχιονίου', 'Fracture of shaft of humerus'),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }] },
      severity: translated('Sévère', 'Severe', 'Σοβαρή', 'official'),
      bodySite: [
        {
          ...untranslated('Αριστερός βραχίονας', 'Upper arm structure'),
          extension: [
            { url: EXT.untranslated, valueCode: 'fr-FR' },
            { url: EXT.qualifier, extension: [{ url: 'name', valueCoding: { code: '272741003' } }, { url: 'value', valueCodeableConcept: { text: 'Gauche' } }] },
          ],
        },
      ],
      onsetDateTime: '2025-10-28T14:30:00+01:00',
      abatementDateTime: '2026-01-05T08:05:12Z',
    };
    const [row] = table(render([fracture], { sourceLanguage: 'el-GR' })!);
    expect(row['Problème']).toBe(
      '<span lang="el-GR" xml:lang="el-GR">Κάταγμα διάφυσης βραχιονίου</span> <span class="untranslated">[non traduit]</span>' +
        ' <span class="original" lang="en" xml:lang="en">(Fracture of shaft of humerus)</span>',
    );
    expect(row['Statut clinique']).toBe('actif');
    expect(row['Sévérité']).toBe('Sévère <span class="original" lang="el-GR" xml:lang="el-GR">(Σοβαρή)</span>');
    expect(row.Localisation).toContain('[non traduit]');
    expect(row.Localisation).toMatch(/<\/span>, Gauche$/);
    expect(row['Début']).toBe('28/10/2025 à 14:30');
    expect(row.Fin).toBe('05/01/2026 à 08:05:12');
  });

  it('uses no language attribute for an original text when the source language is not known', () => {
    const [row] = table(render([{ resourceType: 'Procedure', subject: {}, status: 'completed', code: translated('Appendicectomie', 'Appendicectomy', 'Apendektomija') }])!);
    expect(row.Acte).toBe(`Appendicectomie${PROPOSED} <span class="original">(Apendektomija)</span>`);
  });

  it('renders a medication: product, form, ingredients with strength, and a dosage with frequency, PRN, timing events and bounds', () => {
    const medication: fhir4.Medication = {
      resourceType: 'Medication',
      extension: [{ url: EXT.productName, valueString: 'Symbicort Turbuhaler 160/4,5' }],
      code: untranslated('Βουδεσονίδη + φορμοτερόλη', 'formoterol and budesonide'),
      form: translated('Poudre pour inhalation', 'Inhalation powder', 'Κόνις για εισπνοή', 'reviewed'),
      ingredient: [
        { itemCodeableConcept: { text: 'budésonide' }, strength: { numerator: { value: 160, unit: 'ug' }, denominator: { value: 1, unit: '{actuat}' } } },
        { itemCodeableConcept: { text: 'formotérol' }, strength: { numerator: { value: 4.5, unit: 'ug' }, denominator: { value: 1, unit: '1' } } },
      ],
    };
    const regular: fhir4.MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: {},
      medicationReference: { reference: 'urn:uuid:med' },
      effectivePeriod: { start: '2019-09-02', end: '2026' },
      dosage: [
        {
          text: '1 εισπνοή πρωί και βράδυ',
          doseAndRate: [{ doseQuantity: { value: 1, unit: '{actuat}' } }],
          timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd', when: ['ACM', 'HS'], offset: 30, boundsPeriod: { start: '2019-09-02' } } },
          route: { text: 'Voie inhalée' },
        },
      ],
    };
    const prn: fhir4.MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'on-hold',
      subject: {},
      medicationCodeableConcept: { text: 'paracétamol' },
      _effectiveDateTime: { extension: [{ url: EXT.dataAbsentReason, valueCode: 'not-applicable' }] },
      dosage: [
        {
          doseAndRate: [{ doseRange: { low: { value: 1, unit: 'comprimé' }, high: { value: 2, unit: 'comprimé' } } }],
          timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h' } },
          asNeededCodeableConcept: untranslated('επί πόνου', 'Pain'),
          maxDosePerPeriod: { numerator: { value: 8, unit: 'comprimé' }, denominator: { value: 24, unit: 'h' } },
        },
        { asNeededBoolean: true, timing: { repeat: { frequency: 3, frequencyMax: 4, period: 2, periodUnit: 'wk' } } },
      ],
    };
    const div = render([regular, prn], { others: { 'urn:uuid:med': medication }, sourceLanguage: 'el-GR' })!;
    expect(xhtmlProblems(div)).toEqual([]);
    const [first, second] = table(div);
    expect(first['Médicament'].split('<br/>')).toEqual([
      '<b>Symbicort Turbuhaler 160/4,5</b>',
      '<span lang="el-GR" xml:lang="el-GR">Βουδεσονίδη + φορμοτερόλη</span> <span class="untranslated">[non traduit]</span> <span class="original" lang="en" xml:lang="en">(formoterol and budesonide)</span>',
      'Poudre pour inhalation <span class="original" lang="el-GR" xml:lang="el-GR">(Κόνις για εισπνοή)</span>',
      'budésonide 160 ug/{actuat}',
      'formotérol 4,5 ug',
    ]);
    expect(first.Posologie).toBe(
      '1 {actuat} par prise, 2 fois par jour, 30 min avant le petit-déjeuner, au coucher, depuis 02/09/2019, Voie inhalée' +
        '<br/><span class="original">1 εισπνοή πρωί και βράδυ</span>',
    );
    expect(first['Période']).toBe('02/09/2019 – 2026');
    expect(first.Statut).toBe('en cours');
    expect(second['Médicament']).toBe('paracétamol');
    expect(second.Posologie).toBe(
      '1 à 2 comprimé par prise, toutes les 6 heures, si besoin : <span lang="el-GR" xml:lang="el-GR">επί πόνου</span> <span class="untranslated">[non traduit]</span>' +
        ' <span class="original" lang="en" xml:lang="en">(Pain)</span>, maximum 8 comprimé/24 h' +
        '<br/>3 à 4 fois toutes les 2 semaines, si besoin',
    );
    expect(second['Période']).toBe('sans objet');
    expect(second.Statut).toBe('suspendu');
  });

  it('renders immunizations: product name, dose of series, lot, target disease, status', () => {
    const flu: fhir4.Immunization = {
      resourceType: 'Immunization',
      status: 'completed',
      patient: {},
      extension: [{ url: EXT.productName, valueString: 'Vaxigrip Tetra' }],
      vaccineCode: translated('Vaccin contre la grippe', 'Influenza vaccine', 'Cjepivo protiv gripe'),
      occurrenceDateTime: '2025-10-14',
      lotNumber: 'W3E451V',
      protocolApplied: [{ doseNumberPositiveInt: 2, seriesDosesPositiveInt: 3, targetDisease: [{ text: 'Grippe' }] }],
    };
    const [row] = table(render([flu])!);
    expect(row.Vaccin).toBe(`<b>Vaxigrip Tetra</b><br/>Vaccin contre la grippe${PROPOSED} <span class="original">(Cjepivo protiv gripe)</span>`);
    expect(row).toMatchObject({ Date: '14/10/2025', 'Dose n°': '2 sur 3', Lot: 'W3E451V', 'Maladie ciblée': 'Grippe', Statut: 'effectuée' });
  });

  it('renders procedures and devices (the device by its reference)', () => {
    const div = render(
      [
        { resourceType: 'Procedure', subject: {}, status: 'completed', code: { text: 'Thyroïdectomie' }, performedPeriod: { start: '2016-05-10', end: '2016-05-12' }, bodySite: [{ text: 'Thyroïde' }] },
        { resourceType: 'DeviceUseStatement', subject: {}, status: 'active', device: { reference: 'urn:uuid:dev' }, timingDateTime: '2018-03' },
      ],
      { others: { 'urn:uuid:dev': { resourceType: 'Device', type: { text: 'Défibrillateur implantable' } } } },
    )!;
    expect(xhtmlProblems(div)).toEqual([]);
    const [procedureHead, procedure, deviceHead, device] = rows(div);
    expect(procedureHead).toEqual(['Acte', 'Date', 'Localisation', 'Statut']);
    expect(procedure).toEqual(['Thyroïdectomie', '10/05/2016 – 12/05/2016', 'Thyroïde', 'réalisé']);
    expect(deviceHead).toEqual(['Dispositif', 'Date', 'Statut']);
    expect(device).toEqual(['Défibrillateur implantable', '03/2018', 'en cours']);
  });

  it('renders observations: quantities with a decimal comma, ranges, ratios, components, reference ranges, and panel members once', () => {
    const member = (code: string, value: number, unit: string): fhir4.Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: code },
      valueQuantity: { value, unit },
      effectiveDateTime: '2025-11-10',
    });
    const panel: fhir4.Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Bilan lipidique' },
      hasMember: [{ reference: 'urn:uuid:m1' }, { reference: 'urn:uuid:m2' }, { reference: 'urn:uuid:0' }],
    };
    const hdl = { ...member('HDL', 1.25, 'mmol/L'), interpretation: [{ text: 'Bas' }], referenceRange: [{ low: { value: 1.3, unit: 'mmol/L' }, high: { value: 2, unit: 'mmol/L' } }] };
    const crp = { ...member('CRP', 5, 'mg/L'), valueQuantity: { value: 5, comparator: '<' as const, unit: 'mg/L' }, referenceRange: [{ text: 'adulte < 5' }] };
    const bp: fhir4.Observation = {
      resourceType: 'Observation',
      status: 'amended',
      code: { text: 'Pression artérielle' },
      effectivePeriod: { start: '2025-11-18T10:15:00+01:00' },
      component: [
        { code: { text: 'Systolique' }, valueQuantity: { value: 118, unit: 'mm[Hg]' } },
        { code: { text: 'Diastolique' }, dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'asked-declined' }] } },
      ],
    };
    const titre: fhir4.Observation = { resourceType: 'Observation', status: 'preliminary', code: { text: 'Titre' }, valueRatio: { numerator: { value: 1 }, denominator: { value: 128 } } };
    const range: fhir4.Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Écart' }, valueRange: { low: { value: 2.5, unit: 'kg' }, high: { value: 3, unit: 'kg' } } };
    const masked: fhir4.Observation = { resourceType: 'Observation', status: 'final', code: { text: 'Sérologie' }, valueCodeableConcept: { extension: [{ url: EXT.dataAbsentReason, valueCode: 'masked' }] } };
    const div = render([panel, bp, titre, range, masked, hdl], { others: { 'urn:uuid:m1': hdl, 'urn:uuid:m2': crp } })!;
    expect(xhtmlProblems(div)).toEqual([]);
    const [head, ...body] = rows(div);
    expect(head).toEqual(['Examen', 'Valeur', 'Interprétation', 'Intervalle de référence', 'Date', 'Statut']);
    expect(body).toEqual([
      ['Bilan lipidique', '', '', '', '', 'définitif'],
      ['↳ HDL', '1,25 mmol/L', 'Bas', '1,3 à 2 mmol/L', '10/11/2025', 'définitif'],
      ['↳ CRP', '&lt; 5 mg/L', '', 'adulte &lt; 5', '10/11/2025', 'définitif'],
      ['Pression artérielle', 'Systolique : 118 mm[Hg]<br/>Diastolique : non communiqué (refus)', '', '', 'depuis 18/11/2025 à 10:15', 'modifié'],
      ['Titre', '1/128', '', '', '', 'préliminaire'],
      ['Écart', '2,5 à 3 kg', '', '', '', 'définitif'],
      ['Sérologie', 'masqué', '', '', '', 'définitif'],
    ]);
    expect(div.match(/<tr class="member">/g)).toHaveLength(2);
  });

  it('gives the other resources one generic table: their type, code and status', () => {
    const div = render([
      { resourceType: 'Flag', status: 'active', subject: {}, code: { text: 'Risque de chute' } },
      { resourceType: 'RiskAssessment', status: 'final', subject: {}, code: { text: 'Score de Framingham' } },
    ])!;
    expect(rows(div)).toEqual([
      ['Type de ressource', 'Libellé', 'Statut'],
      ['Alerte', 'Risque de chute', 'active'],
      ['RiskAssessment', 'Score de Framingham', 'final'],
    ]);
  });

  it('never invents: an element absent from a resource is an empty cell, a column no entry fills is left out', () => {
    const div = render([
      { resourceType: 'Condition', subject: {}, code: { text: 'Asthme' }, onsetDateTime: '2003' },
      { resourceType: 'Condition', subject: {}, code: { text: 'Hypothyroïdie' } },
    ])!;
    expect(rows(div)).toEqual([['Problème', 'Début'], ['Asthme', '2003'], ['Hypothyroïdie', '']]);
  });

  it('escapes every text and drops the characters XML forbids', () => {
    const div = render([{ resourceType: 'Condition', subject: {}, code: { text: '<script>alert("x")</script> & \u0001co' } }])!;
    expect(xhtmlProblems(div)).toEqual([]);
    expect(div).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
  });

  it('gives English headings and words to an English reader', () => {
    const div = render([{ resourceType: 'AllergyIntolerance', patient: {}, code: translated('Pénicilline', 'Penicillin'), criticality: 'low', onsetDateTime: '2004-06-01' }], {
      language: 'en-GB',
    })!;
    expect(div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml" lang="en-GB" xml:lang="en-GB">')).toBe(true);
    expect(rows(div)).toEqual([
      ['Agent', 'Criticality', 'Onset'],
      ['Pénicilline<sup class="proposed" title="project translation, not validated">*</sup> <span class="original" lang="en" xml:lang="en">(Penicillin)</span>', 'low', '2004-06-01'],
    ]);
    expect(div).toContain('<p class="legend">* project translation, not validated by a terminologist</p>');
  });

  it('stays linear on a long chain of panel members (iterative walk, each reference once)', () => {
    const n = 5000;
    const others: Record<string, Resource> = {};
    for (let i = 1; i <= n; i++) {
      others[`urn:uuid:m${i}`] = { resourceType: 'Observation', status: 'final', code: { text: `m${i}` }, hasMember: [{ reference: `urn:uuid:m${i + 1}` }, { reference: 'urn:uuid:0' }] };
    }
    const div = render([{ resourceType: 'Observation', status: 'final', code: { text: 'panel' }, hasMember: [{ reference: 'urn:uuid:m1' }] }], { others })!;
    expect(div.match(/<tr/g)).toHaveLength(n + 2);
  });

  it('has the same labels in French and in English', () => {
    const { fr, en } = loadNarrativeLabels();
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(en).sort()).toEqual(keys(fr).sort());
    expect(Object.keys(fr.columns).sort()).toEqual([...COLUMN_KEYS].sort());
    expect(Object.keys(fr.words).sort()).toEqual([...WORD_KEYS].sort());
  });
});

describe('sectionNarrative on converted fixtures', () => {
  const fixtures = [
    projectPath('fixtures', 'patients', 'hr-marija-bozicevic', 'L3.xml'),
    projectPath('fixtures', 'cda', 'clinical-details.xml'),
    projectPath('fixtures', 'cda', 'clinical-details-history.xml'),
    projectPath('fixtures', 'cda', 'known-absence.xml'),
  ];

  /** The text that names what an entry is about (what the professional must find in the narrative). */
  function namingTexts(resource: Resource, resolve: (ref: string) => Resource | undefined): string[] {
    const texts = (...cc: Array<fhir4.CodeableConcept | undefined>): string[] => cc.map((c) => c?.text).filter((t): t is string => !!t);
    switch (resource.resourceType) {
      case 'MedicationStatement': {
        const med = resource.medicationReference?.reference ? (resolve(resource.medicationReference.reference) as fhir4.Medication | undefined) : undefined;
        return texts(resource.medicationCodeableConcept, med?.code, med?.form, ...(med?.ingredient ?? []).map((i) => i.itemCodeableConcept));
      }
      case 'DeviceUseStatement':
        return texts((resolve(resource.device.reference ?? '') as fhir4.Device | undefined)?.type);
      case 'Immunization':
        return texts(resource.vaccineCode);
      default:
        return texts((resource as { code?: fhir4.CodeableConcept }).code);
    }
  }

  it.each(fixtures.map((f) => [f.slice(projectPath().length + 1), f]))('%s: every section with entries gets a well-formed narrative naming each entry', (_name, file) => {
    const { bundle } = convertPatientSummary(readFileSync(file), { now: new Date('2026-01-01T00:00:00Z') });
    const byUrl = new Map((bundle.entry ?? []).map((e) => [e.fullUrl!, e.resource as Resource] as const));
    const resolve = (ref: string): Resource | undefined => byUrl.get(ref);
    const composition = bundle.entry![0].resource as fhir4.Composition;
    let rendered = 0;
    for (const section of composition.section ?? []) {
      const div = sectionNarrative(section, resolve, { language: 'fr-FR', sourceLanguage: 'hr-HR' });
      if (!section.entry?.length) {
        expect(div).toBeUndefined();
        continue;
      }
      rendered++;
      expect(xhtmlProblems(div!)).toEqual([]);
      for (const entry of section.entry) {
        const resource = resolve(entry.reference!)!;
        for (const t of namingTexts(resource, resolve)) expect(div).toContain(escapeXml(t));
      }
    }
    expect(rendered).toBeGreaterThan(0);
  });
});

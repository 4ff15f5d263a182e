// The section narrative generated from the structured entries (src/mapping/section-narrative.ts):
// small hand-built resources per type, then the sections of converted fixtures.
import { readFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { escapeXml } from '../../src/mapping/narrative-writer.js';
import { compositionNarrative } from '../../src/mapping/composition-narrative.js';
import { COLUMN_KEYS, HEADER_KEYS, loadNarrativeLabels, sectionNarrative, ucumDisplay, WORD_KEYS } from '../../src/mapping/section-narrative.js';
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
const REVIEWED = '<sup class="reviewed" title="traduction du projet, vérifiée">†</sup>';
const LEGEND = '<p class="legend">* traduction du projet, non validée par un terminologue</p>';
const REVIEWED_LEGEND = '<p class="legend">† traduction du projet, vérifiée sur une source française publiée</p>';
const UNTRANSLATED = ' <span class="untranslated">[non traduit]</span>';
const UCUM = 'http://unitsofmeasure.org';

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

/** A term of an official catalogue: no mark. */
function fr(text: string): fhir4.CodeableConcept {
  return translated(text, text, undefined, 'official');
}

/** A UCUM quantity as the converter makes it (unit = code). */
function ucum(value: number, code: string): fhir4.Quantity {
  return { value, unit: code, system: UCUM, code };
}

/** The source's free text as the renderer shows it: said to be the original, in the source's language. */
function original(text: string, lang?: string): string {
  return `<i>Texte d’origine :</i> <span class="original"${lang ? ` lang="${lang}" xml:lang="${lang}"` : ''}>${text}</span>`;
}

function untranslated(text: string, display?: string): fhir4.CodeableConcept {
  return { coding: [{ system: SCT, code: '2', display }], text, extension: [{ url: EXT.untranslated, valueCode: 'fr-FR' }] };
}

const ALLOWED_ELEMENTS = new Set(['div', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'sup', 'ul', 'li', 'b', 'i', 'br']);
const ALLOWED_ATTRIBUTES = new Set(['class', 'lang', 'xml:lang', 'title', 'id', 'xmlns', 'colspan']);

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
  return [...div.matchAll(/<tr(?: class="[^"]*")?>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh](?: colspan="\d+")?>(.*?)<\/t[dh]>/g)].map((c) => c[1]));
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

  it('renders allergies: agent with the original beside, reactions, words of the codes, partial dates, the marks and their legend once', () => {
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
    // reviewed: its own mark; an originalText that is the English display is marked English
    expect(row['Vérification']).toBe(`Confirmée${REVIEWED} <span class="original" lang="en" xml:lang="en">(Confirmed)</span>`);
    expect(row.Type).toBe('allergie, médicament');
    expect(row['Début']).toBe('06/2004');
    // a note is the source's free text
    expect(row.Remarque).toBe(original('Réaction en 2004 &lt;après&gt; injection &amp; perfusion', 'hr-HR'));
    expect(div.split(LEGEND)).toHaveLength(2);
    expect(div.endsWith(`${LEGEND}${REVIEWED_LEGEND}</div>`)).toBe(true);
  });

  it('shows a known absence as one row saying it across the columns, without the statuses and dates that read as findings', () => {
    const noKnown = (code: string, display: string, text: string): fhir4.CodeableConcept => ({ ...translated(text, display), coding: [{ system: SCT, code, display }] });
    const none: fhir4.AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      patient: {},
      code: noKnown('716186003', 'No known allergy (situation)', 'Aucune allergie connue'),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
    };
    // a narrower "no known" situation the absence table lists (no known drug allergy), beside a real allergy
    const noDrug: fhir4.AllergyIntolerance = { ...none, code: noKnown('409137002', 'No known drug allergy (situation)', 'Aucune allergie médicamenteuse connue') };
    const latex: fhir4.AllergyIntolerance = { resourceType: 'AllergyIntolerance', patient: {}, code: fr('Latex'), criticality: 'low', onsetDateTime: '2015' };
    const div = render([latex, noDrug])!;
    expect(xhtmlProblems(div)).toEqual([]);
    expect(rows(div)).toEqual([
      ['Agent', 'Criticité', 'Début'],
      ['Latex', 'faible', '2015'],
      [`Aucune allergie médicamenteuse connue${PROPOSED} <span class="original" lang="en" xml:lang="en">(No known drug allergy (situation))</span>`],
    ]);
    expect(div).toContain('<tr class="known-absence"><td colspan="3">Aucune allergie médicamenteuse connue');

    // alone in its table: one column, no status
    const only = render([none])!;
    expect(rows(only)).toEqual([['Agent'], [`Aucune allergie connue${PROPOSED} <span class="original" lang="en" xml:lang="en">(No known allergy (situation))</span>`]]);
    expect(only).not.toContain('active');

    // every kind of resource IPS 2.0 says it with: its concept where it is (a Medication's code, a Device's type)
    const div2 = render(
      [
        { resourceType: 'Immunization', status: 'completed', patient: {}, vaccineCode: noKnown('787482006', 'No known immunizations (situation)', 'Aucune vaccination connue'), occurrenceDateTime: '2020' },
        { resourceType: 'MedicationStatement', status: 'active', subject: {}, medicationReference: { reference: 'urn:uuid:med' } },
        { resourceType: 'DeviceUseStatement', status: 'active', subject: {}, device: { reference: 'urn:uuid:dev' } },
        { resourceType: 'Procedure', status: 'unknown', subject: {}, code: noKnown('787480003', 'No known procedures (situation)', 'Aucune intervention connue') },
        { resourceType: 'Condition', subject: {}, code: noKnown('160245001', 'No current problems or disability (situation)', 'Aucun problème actuel') },
      ],
      {
        others: {
          'urn:uuid:med': { resourceType: 'Medication', code: noKnown('787481004', 'No known medications (situation)', 'Aucun médicament connu') },
          'urn:uuid:dev': { resourceType: 'Device', type: noKnown('787483001', 'No known device use (situation)', 'Aucun dispositif connu') },
        },
      },
    )!;
    expect(div2.match(/<tr class="known-absence">/g)).toHaveLength(5);
    for (const word of ['effectuée', 'en cours', 'inconnu', '2020']) expect(div2).not.toContain(word);
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
            { url: EXT.qualifier, extension: [{ url: 'name', valueCoding: { code: '272741003' } }, { url: 'value', valueCodeableConcept: fr('Gauche') }] },
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
    // a time keeps its zone: it is not the reader's local time
    expect(row['Début']).toBe('28/10/2025 à 14:30 UTC+01:00');
    expect(row.Fin).toBe('05/01/2026 à 08:05:12 UTC');
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
        { itemCodeableConcept: fr('budésonide'), strength: { numerator: ucum(160, 'ug'), denominator: ucum(1, '{actuat}') } },
        { itemCodeableConcept: fr('formotérol'), strength: { numerator: ucum(4.5, 'ug'), denominator: ucum(1, '1') } },
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
          route: fr('Voie inhalée'),
        },
      ],
    };
    const prn: fhir4.MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'on-hold',
      subject: {},
      medicationCodeableConcept: fr('paracétamol'),
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
      '<b lang="el-GR" xml:lang="el-GR">Symbicort Turbuhaler 160/4,5</b>',
      '<span lang="el-GR" xml:lang="el-GR">Βουδεσονίδη + φορμοτερόλη</span> <span class="untranslated">[non traduit]</span> <span class="original" lang="en" xml:lang="en">(formoterol and budesonide)</span>',
      `Poudre pour inhalation${REVIEWED} <span class="original" lang="el-GR" xml:lang="el-GR">(Κόνις για εισπνοή)</span>`,
      'budésonide 160 µg/{actuat}',
      'formotérol 4,5 µg',
    ]);
    expect(first.Posologie).toBe(
      '1 {actuat} par prise, 2 fois par jour, 30 min avant le petit-déjeuner, au coucher, depuis 02/09/2019, Voie inhalée' +
        `<br/>${original('1 εισπνοή πρωί και βράδυ', 'el-GR')}`,
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
      protocolApplied: [{ doseNumberPositiveInt: 2, seriesDosesPositiveInt: 3, targetDisease: [fr('Grippe')] }],
    };
    const [row] = table(render([flu])!);
    expect(row.Vaccin).toBe(`<b>Vaxigrip Tetra</b><br/>Vaccin contre la grippe${PROPOSED} <span class="original">(Cjepivo protiv gripe)</span>`);
    expect(row).toMatchObject({ Date: '14/10/2025', 'Dose n°': '2 sur 3', Lot: 'W3E451V', 'Maladie ciblée': 'Grippe', Statut: 'effectuée' });
  });

  it('renders procedures and devices (the device by its reference)', () => {
    const div = render(
      [
        { resourceType: 'Procedure', subject: {}, status: 'completed', code: fr('Thyroïdectomie'), performedPeriod: { start: '2016-05-10', end: '2016-05-12' }, bodySite: [fr('Thyroïde')] },
        { resourceType: 'DeviceUseStatement', subject: {}, status: 'active', device: { reference: 'urn:uuid:dev' }, timingDateTime: '2018-03' },
      ],
      { others: { 'urn:uuid:dev': { resourceType: 'Device', type: fr('Défibrillateur implantable') } } },
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
      code: fr(code),
      valueQuantity: ucum(value, unit),
      effectiveDateTime: '2025-11-10',
    });
    const panel: fhir4.Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: fr('Bilan lipidique'),
      hasMember: [{ reference: 'urn:uuid:m1' }, { reference: 'urn:uuid:m2' }, { reference: 'urn:uuid:0' }],
    };
    const hdl = { ...member('HDL', 1.25, 'mmol/L'), interpretation: [fr('Bas')], referenceRange: [{ low: ucum(1.3, 'mmol/L'), high: ucum(2, 'mmol/L') }] };
    const crp = { ...member('CRP', 5, 'mg/L'), valueQuantity: { ...ucum(5, 'mg/L'), comparator: '<' as const }, referenceRange: [{ text: 'adulte < 5' }] };
    const bp: fhir4.Observation = {
      resourceType: 'Observation',
      status: 'amended',
      code: fr('Pression artérielle'),
      effectivePeriod: { start: '2025-11-18T10:15:00+01:00' },
      component: [
        { code: fr('Systolique'), valueQuantity: ucum(118, 'mm[Hg]') },
        { code: fr('Diastolique'), dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'asked-declined' }] } },
      ],
    };
    const titre: fhir4.Observation = { resourceType: 'Observation', status: 'preliminary', code: fr('Titre'), valueRatio: { numerator: { value: 1 }, denominator: { value: 128 } } };
    const range: fhir4.Observation = { resourceType: 'Observation', status: 'final', code: fr('Écart'), valueRange: { low: ucum(2.5, 'kg'), high: ucum(3, 'kg') } };
    const masked: fhir4.Observation = { resourceType: 'Observation', status: 'final', code: fr('Sérologie'), valueCodeableConcept: { extension: [{ url: EXT.dataAbsentReason, valueCode: 'masked' }] } };
    const div = render([panel, bp, titre, range, masked, hdl], { others: { 'urn:uuid:m1': hdl, 'urn:uuid:m2': crp } })!;
    expect(xhtmlProblems(div)).toEqual([]);
    const [head, ...body] = rows(div);
    // rows of no category, in a section of no code: the heading of any observation
    expect(head).toEqual(['Observation', 'Valeur', 'Interprétation', 'Intervalle de référence', 'Date', 'Statut']);
    expect(body).toEqual([
      ['Bilan lipidique', '', '', '', '', 'définitif'],
      ['↳ HDL', '1,25 mmol/L', 'Bas', '1,3 à 2 mmol/L', '10/11/2025', 'définitif'],
      ['↳ CRP', '&lt; 5 mg/L', '', original('adulte &lt; 5'), '10/11/2025', 'définitif'],
      ['Pression artérielle', 'Systolique : 118 mmHg<br/>Diastolique : non communiqué (refus)', '', '', 'depuis 18/11/2025 à 10:15 UTC+01:00', 'modifié'],
      ['Titre', '1/128', '', '', '', 'préliminaire'],
      ['Écart', '2,5 à 3 kg', '', '', '', 'définitif'],
      ['Sérologie', 'masqué', '', '', '', 'définitif'],
    ]);
    expect(div.match(/<tr class="member">/g)).toHaveLength(2);
  });

  it('gives the other resources one generic table: their type, code and status', () => {
    const div = render([
      { resourceType: 'Flag', status: 'active', subject: {}, code: fr('Risque de chute') },
      { resourceType: 'RiskAssessment', status: 'final', subject: {}, code: fr('Score de Framingham') },
    ])!;
    expect(rows(div)).toEqual([
      ['Type de ressource', 'Libellé', 'Statut'],
      ['Alerte', 'Risque de chute', 'active'],
      ['RiskAssessment', 'Score de Framingham', 'final'],
    ]);
  });

  it('never invents: an element absent from a resource is an empty cell, a column no entry fills is left out', () => {
    const div = render([
      { resourceType: 'Condition', subject: {}, code: fr('Asthme'), onsetDateTime: '2003' },
      { resourceType: 'Condition', subject: {}, code: fr('Hypothyroïdie') },
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

  it('shows the source free text as written, said to be the original and in its language: notes, dosage text, values and ranges in words', () => {
    const ventolin: fhir4.MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: {},
      medicationCodeableConcept: fr('salbutamol'),
      dosage: [{ text: '2 udaha po potrebi', doseAndRate: [{ doseQuantity: ucum(2, '{puff}') }] }],
      note: [
        { text: 'Ventolin inhaler salbutamol 100 ug — stlačeni inhalat, suspenzija 2 6 h primjena inhalacijom 2003-10-01 –' },
        { text: 'Ne uzimati <noću>' },
      ],
    };
    const smoker: fhir4.Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: fr('Tabagisme'),
      valueString: 'bivši pušač',
      referenceRange: [{ text: 'nepušač' }],
      note: [{ text: 'prestao 2019.' }],
    };
    const asthma: fhir4.Condition = { resourceType: 'Condition', subject: {}, code: fr('Asthme'), onsetString: 'u djetinjstvu' };
    const div = render([ventolin, smoker, asthma], { sourceLanguage: 'hr-HR' })!;
    expect(xhtmlProblems(div)).toEqual([]);
    const [medHead, med, obsHead, obs, condHead, cond] = rows(div);
    const at = (head: string[], row: string[], heading: string): string => row[head.indexOf(heading)];
    expect(at(medHead, med, 'Posologie')).toBe(`2 bouffée(s) par prise<br/>${original('2 udaha po potrebi', 'hr-HR')}`);
    expect(at(medHead, med, 'Remarque')).toBe(
      original('Ventolin inhaler salbutamol 100 ug — stlačeni inhalat, suspenzija 2 6 h primjena inhalacijom 2003-10-01 –', 'hr-HR') +
        '<br/><span class="original" lang="hr-HR" xml:lang="hr-HR">Ne uzimati &lt;noću&gt;</span>',
    );
    expect(at(obsHead, obs, 'Valeur')).toBe(original('bivši pušač', 'hr-HR'));
    expect(at(obsHead, obs, 'Intervalle de référence')).toBe(original('nepušač', 'hr-HR'));
    expect(at(obsHead, obs, 'Remarque')).toBe(original('prestao 2019.', 'hr-HR'));
    expect(at(condHead, cond, 'Début')).toBe(original('u djetinjstvu', 'hr-HR'));
    // without a known source language: still said to be the original, with no language claimed
    expect(table(render([ventolin])!)[0].Remarque).toMatch(/^<i>Texte d’origine :<\/i> <span class="original">Ventolin/);
  });

  it('shows a term no catalogue gave (a name without code) in the source language, flagged unless the reader reads that language', () => {
    const device = (text: string): Resource => ({ resourceType: 'DeviceUseStatement', status: 'active', subject: {}, device: { reference: `urn:uuid:${text}` } });
    const others = { 'urn:uuid:a': { resourceType: 'Device', type: { text: 'Tervise infosüsteem' } } as Resource };
    const [row] = table(render([device('a')], { sourceLanguage: 'et-EE', others })!);
    expect(row.Dispositif).toBe(`<span lang="et-EE" xml:lang="et-EE">Tervise infosüsteem</span>${UNTRANSLATED}`);
    // a French source (Luxembourg): the reader reads it, no flag
    const [fromFrench] = table(render([device('a')], { sourceLanguage: 'fr-LU', others })!);
    expect(fromFrench.Dispositif).toBe('<span lang="fr-LU" xml:lang="fr-LU">Tervise infosüsteem</span>');
  });

  it('renders UCUM units in the reader\'s words, composing known parts, and shows any other unit as the source wrote it', () => {
    const value = (unit: fhir4.Quantity): string => {
      const div = render([{ resourceType: 'Observation', status: 'final', code: fr('x'), valueQuantity: unit }])!;
      return table(div)[0].Valeur;
    };
    expect(value(ucum(10, '[IU]'))).toBe('10 UI');
    expect(value(ucum(50, 'ug'))).toBe('50 µg');
    expect(value(ucum(2, '{glass}/wk'))).toBe('2 verre(s)/sem.');
    expect(value(ucum(40, 'mg/d'))).toBe('40 mg/j');
    expect(value(ucum(8.1, '10*3/uL'))).toBe('8,1 10³/µL');
    expect(value(ucum(118, 'mm[Hg]'))).toBe('118 mmHg');
    expect(value(ucum(72, '/min'))).toBe('72 /min');
    expect(value(ucum(37.2, 'Cel'))).toBe('37,2 °C');
    expect(value(ucum(0.5, '{pack}/d'))).toBe('0,5 paquet(s)/j');
    expect(value(ucum(3, 'mg.kg'))).toBe('3 mg·kg');
    // a part the table lacks: the whole unit as it came, never a guess
    expect(value(ucum(4, '{copo}/d'))).toBe('4 {copo}/d');
    expect(value(ucum(3, 'mg/2.5.ml'))).toBe('3 mg/2.5.ml');
    expect(value(ucum(1, 'mg//d'))).toBe('1 mg//d');
    // the source's own name of the unit (a unit of presentation), or a unit of another system: as they are
    expect(value({ value: 1, unit: 'Tablet', system: UCUM, code: '1' })).toBe('1 Tablet');
    expect(value({ value: 1, unit: 'ug', system: 'urn:oid:1.2.3', code: 'ug' })).toBe('1 ug');
    expect(value({ value: 2, unit: 'ug' })).toBe('2 ug');
    expect(value(ucum(3, '1'))).toBe('3');
    // strengths and English words
    const strength = render([{ resourceType: 'MedicationStatement', status: 'active', subject: {}, medicationReference: { reference: 'urn:uuid:m' } }], {
      others: { 'urn:uuid:m': { resourceType: 'Medication', ingredient: [{ itemCodeableConcept: fr('insuline glargine'), strength: { numerator: ucum(100, '[IU]'), denominator: ucum(1, 'mL') } }] } },
    })!;
    expect(strength).toContain('insuline glargine 100 UI/mL');
    const english = render([{ resourceType: 'Observation', status: 'final', code: fr('x'), valueQuantity: ucum(2, '{glass}/wk') }], { language: 'en-GB' })!;
    expect(english).toContain('2 glass(es)/wk');
    expect(ucumDisplay(loadNarrativeLabels().fr.units, '10*9/L')).toBe('10⁹/L');
  });

  it('reads well without a unit and with equal ends: "1 par prise", "2 par prise", never an invented unit', () => {
    const ms: fhir4.MedicationStatement = {
      resourceType: 'MedicationStatement',
      status: 'active',
      subject: {},
      medicationCodeableConcept: fr('lévothyroxine'),
      dosage: [
        { doseAndRate: [{ doseQuantity: ucum(1, '1') }], timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } },
        { doseAndRate: [{ doseRange: { low: ucum(2, '1'), high: ucum(2, '1') } }] },
        { doseAndRate: [{ doseRange: { low: ucum(1, '{tablet}'), high: ucum(2, '{tablet}') } }] },
      ],
    };
    expect(table(render([ms])!)[0].Posologie).toBe('1 par prise, 1 fois par jour<br/>2 par prise<br/>1 à 2 comprimé(s) par prise');
  });

  it('heads the Observation column by what the rows are: category shared, else section, else "Observation"', () => {
    const obs = (category?: string): fhir4.Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: fr('x'),
      valueQuantity: ucum(1, 'kg'),
      ...(category ? { category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }] } : {}),
    });
    const heading = (entries: Resource[], sectionCode?: string): string => {
      const byRef = new Map<string, Resource>(entries.map((r, i) => [`urn:uuid:${i}`, r]));
      const section: fhir4.CompositionSection = { entry: entries.map((_, i) => ({ reference: `urn:uuid:${i}` })) };
      if (sectionCode) section.code = { coding: [{ system: 'http://loinc.org', code: sectionCode }] };
      return rows(sectionNarrative(section, (ref) => byRef.get(ref), { language: 'fr-FR' })!)[0][0];
    };
    expect(heading([obs('vital-signs'), obs('vital-signs')])).toBe('Mesure');
    expect(heading([obs('social-history')])).toBe('Habitude de vie');
    expect(heading([obs('laboratory')], '8716-3')).toBe('Examen');
    expect(heading([obs()], '10162-6')).toBe('Grossesse');
    expect(heading([obs('vital-signs'), obs('laboratory')])).toBe('Observation');
    expect(heading([obs('vital-signs'), obs()], '29762-2')).toBe('Habitude de vie');
  });

  it('says a date is unknown in words that agree with a date; other elements keep their own', () => {
    const absent = (code: string): fhir4.Element => ({ extension: [{ url: EXT.dataAbsentReason, valueCode: code }] });
    const div = render([
      { resourceType: 'Immunization', status: 'completed', patient: {}, vaccineCode: fr('Vaccin'), _occurrenceDateTime: absent('unknown') } as Resource,
      { resourceType: 'Observation', status: 'final', code: fr('Naissances'), valueInteger: 1, _effectiveDateTime: absent('asked-declined') } as Resource,
      { resourceType: 'Observation', status: 'final', code: fr('Poids'), valueQuantity: { extension: absent('unknown').extension } as fhir4.Quantity },
    ])!;
    const [, immunization, , births, weight] = rows(div);
    expect(immunization[1]).toBe('date inconnue');
    expect(births[2]).toBe('date non communiquée (refus)');
    expect(weight[1]).toBe('inconnu');
  });

  it('marks the project\'s reviewed translations apart from the proposed ones, and the official ones not at all', () => {
    const div = render([
      { resourceType: 'Condition', subject: {}, code: translated('Asthme', 'Asthma', 'Astma', 'reviewed') },
      { resourceType: 'Condition', subject: {}, code: translated('Diabète', 'Diabetes', 'Dijabetes', 'official') },
    ])!;
    const [, reviewed, official] = rows(div);
    expect(reviewed[0]).toBe(`Asthme${REVIEWED} <span class="original">(Astma)</span>`);
    expect(official[0]).toBe('Diabète <span class="original">(Dijabetes)</span>');
    expect(div.endsWith(`${REVIEWED_LEGEND}</div>`)).toBe(true);
    expect(div).not.toContain(LEGEND);
  });

  it('has the same labels in French and in English', () => {
    const { fr, en } = loadNarrativeLabels();
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
    expect(keys(en).sort()).toEqual(keys(fr).sort());
    expect(Object.keys(fr.columns).sort()).toEqual([...COLUMN_KEYS].sort());
    expect(Object.keys(fr.words).sort()).toEqual([...WORD_KEYS].sort());
    expect(Object.keys(fr.header).sort()).toEqual([...HEADER_KEYS].sort());
  });
});

describe('compositionNarrative', () => {
  const TRANSLATED_FROM = 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translated-from';
  const others: Record<string, Resource> = {
    'urn:uuid:pat': {
      resourceType: 'Patient',
      name: [{ family: 'BOŽIČEVIĆ', given: ['MARIJA'] }],
      birthDate: '1985-03-19',
      gender: 'female',
      identifier: [{ system: 'urn:oid:2.16.17.710.840.1000.990.1', value: '157601853' }, { value: 'HR-<2>' }],
    },
    'urn:uuid:doc': { resourceType: 'Practitioner', name: [{ family: 'Perić', given: ['Ana'] }], qualification: [{ code: translated('Médecins généralistes', 'Generalist medical practitioners') }] },
    'urn:uuid:org': { resourceType: 'Organization', name: 'Dom zdravlja Zagreb – Centar', address: [{ city: 'Zagreb', country: 'HR' }] },
    'urn:uuid:role': { resourceType: 'PractitionerRole', practitioner: { reference: 'urn:uuid:doc' }, organization: { reference: 'urn:uuid:org' } },
    'urn:uuid:sys': { resourceType: 'Device', deviceName: [{ name: 'CEZIH', type: 'other' }] },
  };
  const composition = (extra: Partial<fhir4.Composition> = {}): fhir4.Composition => ({
    resourceType: 'Composition',
    status: 'final',
    type: { text: 'Synthèse médicale du patient' },
    title: 'Synthèse médicale du patient',
    subject: { reference: 'urn:uuid:pat' },
    date: '2025-11-04T10:15:00+01:00',
    author: [{ reference: 'urn:uuid:doc' }, { reference: 'urn:uuid:org' }, { reference: 'urn:uuid:role' }, { reference: 'urn:uuid:sys' }, { display: 'Služba' }],
    custodian: { reference: 'urn:uuid:org' },
    confidentiality: 'N',
    extension: [{ url: TRANSLATED_FROM, extension: [{ url: 'language', valueCode: 'hr-HR' }, { url: 'country', valueCode: 'HR' }] }],
    ...extra,
  });
  const header = (div: string): Record<string, string> => Object.fromEntries(rows(div).map(([h, v]) => [h, v]));

  it('renders the header in French: patient, date, authors, custodian, source language and country by name, confidentiality, the translation notice and the marks', () => {
    const div = compositionNarrative(composition(), (ref) => others[ref], { language: 'fr-FR' });
    expect(xhtmlProblems(div)).toEqual([]);
    expect(div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml" lang="fr-FR" xml:lang="fr-FR"><table class="document-header">')).toBe(true);
    const h = header(div);
    expect(h.Patient).toBe('<b>MARIJA BOŽIČEVIĆ</b>, né(e) le 19/03/1985, sexe : féminin, identifiant(s) : 157601853, HR-&lt;2&gt;');
    expect(h['Date du document']).toBe('04/11/2025 à 10:15 UTC+01:00');
    const hr = 'lang="hr-HR" xml:lang="hr-HR"';
    expect(h['Auteur(s)'].split('<br/>')).toEqual([
      `Ana Perić, Médecins généralistes${PROPOSED} <span class="original" lang="en" xml:lang="en">(Generalist medical practitioners)</span>`,
      `<span ${hr}>Dom zdravlja Zagreb – Centar</span> (Croatie)`,
      `Ana Perić, Médecins généralistes${PROPOSED} <span class="original" lang="en" xml:lang="en">(Generalist medical practitioners)</span>, <span ${hr}>Dom zdravlja Zagreb – Centar</span> (Croatie)`,
      `<span ${hr}>CEZIH</span>`,
      `<span ${hr}>Služba</span>`,
    ]);
    expect(h['Responsable du document']).toBe(`<span ${hr}>Dom zdravlja Zagreb – Centar</span> (Croatie)`);
    expect(h['Document d’origine']).toBe('Croate, Croatie');
    expect(h['Confidentialité']).toBe('normale');
    expect(div).toContain('<p class="translation-notice">Document traduit automatiquement');
    for (const line of ['Sans marque : traduction d’un catalogue officiel.', '* traduction du projet', '† traduction du projet, vérifiée', '[non traduit] : terme', 'Texte d’origine : texte libre']) {
      expect(div).toContain(`<li>${line}`);
    }
  });

  it('says nothing it does not know, and no translation notice for a document that was not translated', () => {
    const div = compositionNarrative(
      { resourceType: 'Composition', status: 'final', type: {}, title: 'Patient Summary', subject: { reference: 'urn:uuid:nobody' }, date: '2025-11-04', author: [] },
      () => undefined,
      { language: 'en-GB', sourceLanguage: 'en-GB' },
    );
    expect(xhtmlProblems(div)).toEqual([]);
    expect(rows(div)).toEqual([
      ['Document date', '2025-11-04'],
      ['Source document', 'English'],
    ]);
    expect(div).not.toContain('translation-notice');
  });

  it('renders the header of a converted document', () => {
    const { bundle } = convertPatientSummary(readFileSync(projectPath('fixtures', 'patients', 'hr-marija-bozicevic', 'L3.xml')), { now: new Date('2026-01-01T00:00:00Z') });
    const byUrl = new Map((bundle.entry ?? []).map((e) => [e.fullUrl!, e.resource as Resource] as const));
    const div = compositionNarrative(bundle.entry![0].resource as fhir4.Composition, (ref) => byUrl.get(ref), { language: 'fr-FR' });
    expect(xhtmlProblems(div)).toEqual([]);
    const h = header(div);
    expect(h.Patient).toContain('BOŽIČEVIĆ');
    expect(h['Document d’origine']).toBe('Croate, Croatie');
    expect(h['Auteur(s)']).toContain('Perić');
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

describe('a code that says less than its source', () => {
  it('shows the source concept beside it: a life-threatening reaction is never only "sévère"', () => {
    const allergy: fhir4.AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      patient: { reference: 'urn:uuid:p' },
      code: { text: 'amoxicilline' },
      reaction: [
        {
          manifestation: [{ text: 'Anaphylaxie' }],
          severity: 'severe',
          _severity: {
            extension: [
              {
                url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/source-concept',
                valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '442452003', display: 'Life threatening severity' }], text: 'Menace le pronostic vital' },
              },
            ],
          },
        } as fhir4.AllergyIntoleranceReaction,
      ],
    };
    const div = sectionNarrative({ title: 'Allergies', entry: [{ reference: 'urn:uuid:a' }] }, (ref) => (ref === 'urn:uuid:a' ? allergy : undefined), { language: 'fr-FR' })!;
    expect(div).toContain('sévère (Menace le pronostic vital');
  });
});

describe('the Greek fixture, whose amoxicillin anaphylaxis is life-threatening', () => {
  it('says so in French in the allergy table', () => {
    const { bundle } = convertPatientSummary(readFileSync(projectPath('fixtures', 'patients', 'gr-dimitrios-papadopoulos', 'L3.xml')));
    const allergies = (bundle.entry![0].resource as fhir4.Composition).section!.find((s) => s.code?.coding?.[0].code === '48765-2')!;
    expect(allergies.text!.div).toMatch(/sévère \(Menace le pronostic vital/);
  });
});

// Pins the corrections of the project's French catalogue made after a comparison with published
// French terminologies (EDQM standard terms in French as the ANS and EDQM publish them; the ANS
// French language pack of HL7 code systems), and the review status every designation carries.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DESIGNATION_STATUS_EXT, projectCatalogue } from '../../src/terminology/catalogue.js';
import { projectPath } from '../../src/util/project.js';

const EDQM = 'http://standardterms.edqm.eu';
const ROLE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const catalogue = projectCatalogue();
const fr = (system: string, code: string): { text?: string; status?: string } => {
  const d = catalogue.lookup(system, code, 'fr-FR');
  return { text: d?.text, status: d?.status };
};

describe('corrected French terms (checked against published French terminologies)', () => {
  it.each([
    // EDQM routes (ANS JDV Route Of Administration CISIS, EDQM standard terms in French)
    ['20002500', 'Voie buccogingivale'], // Buccal use; was "Voie jugale"
    ['20054000', 'Voie buccale'], // Oromucosal use: another route
    ['20023000', 'Voie intraartérielle'],
    ['20024000', 'Voie intraarticulaire'],
    // EDQM dose forms and containers (EDQM French terms)
    ['10100500', 'Suspension à diluer pour suspension buvable'],
    ['10120000', 'Comprimé pour solution buvable'], // Soluble tablet; was "Comprimé soluble"
    ['10519000', 'Patch transdermique'],
    ['10704000', 'Solution auriculaire en gouttes'],
    ['50037750', 'Liquide oral en gouttes'],
    ['30007000', 'Plaquette'],
  ])('EDQM %s is "%s", reviewed', (code, text) => {
    expect(fr(EDQM, code)).toEqual({ text, status: 'reviewed' });
  });

  it.each([
    ['DAU', 'Fille biologique'], // natural daughter
    ['SON', 'Fils biologique'], // natural son
    ['DAUC', 'Fille'],
    ['SONC', 'Fils'],
    ['PRN', 'Parent (père ou mère)'], // "Parent" alone means any relative in French
    ['SPS', 'Époux ou épouse'],
    ['SIGOTHR', 'Conjoint(e)'],
    ['HUSB', 'Époux'],
    ['WIFE', 'Épouse'],
    ['DOMPART', 'Concubin(e) ou partenaire PACS'],
    ['NBOR', 'Voisin(e)'],
  ])('RoleCode %s is "%s", reviewed', (code, text) => {
    expect(fr(ROLE, code)).toEqual({ text, status: 'reviewed' });
  });

  it('keeps spouse and significant other apart, and says friend for both sexes (a proposal: the ANS pack says "Autre proche")', () => {
    expect(fr(ROLE, 'SPS').text).not.toBe(fr(ROLE, 'SIGOTHR').text);
    expect(fr(ROLE, 'FRND')).toEqual({ text: 'Ami(e)', status: 'proposed' });
  });

  it('translates every code of the eHDSI PersonalRelationship value set', () => {
    const codes = `AUNT CHILD CHLDADOPT CHLDFOST CHLDINLAW COUSN DAU DAUADOPT DAUC DAUFOST DAUINLAW DOMPART FAMMEMB FRND FTH FTHINLAW GGRPRN
      GRNDCHILD GRPRN MTH MTHINLAW NBOR NCHILD NIENEPH PRN PRNINLAW ROOM SIB SIGOTHR SON SONADOPT SONC SONFOST SONINLAW SPS STPCHLD
      STPDAU STPSON UNCLE EXT GGRFTH GGRMTH GRNDDAU GRNDSON GRFTH GRMTH BROINLAW SISINLAW NEPHEW NIECE BRO SIS HUSB WIFE`.split(/\s+/);
    expect(codes.filter((c) => !catalogue.designation(ROLE, c, 'fr-FR'))).toEqual([]);
  });
});

describe('review status of the project catalogue', () => {
  const dir = projectPath('mappings', 'terminology', 'fr-FR');
  const designations = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const vs = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as fhir4.ValueSet;
      return (vs.compose?.include ?? []).flatMap((inc) => (inc.concept ?? []).flatMap((c) => (c.designation ?? []).map((d) => ({ file: f, system: inc.system, code: c.code, d }))));
    });

  it('writes the status of every designation (reviewed or proposed) in its extension', () => {
    const statuses = (d: fhir4.ValueSetComposeIncludeConceptDesignation): string[] => (d.extension ?? []).filter((e) => e.url === DESIGNATION_STATUS_EXT).map((e) => e.valueCode ?? '');
    expect(designations.length).toBeGreaterThan(700);
    expect(designations.filter(({ d }) => statuses(d).length !== 1).map(({ file, code }) => `${file} ${code}`)).toEqual([]);
    expect(new Set(designations.flatMap(({ d }) => statuses(d)))).toEqual(new Set(['reviewed', 'proposed']));
  });

  it('loads the statuses with the designations, and leaves unchecked terms proposed', () => {
    expect(fr('http://snomed.info/sct', '195967001')).toEqual({ text: 'Asthme', status: 'proposed' });
    expect(fr('http://terminology.hl7.org/CodeSystem/v3-ParticipationFunction', 'PCP')).toEqual({ text: 'Médecin traitant', status: 'reviewed' });
    expect(fr(EDQM, '50060200')).toEqual({ text: 'Solution injectable en stylo prérempli', status: 'proposed' });
  });

  it('has no hand-written country or language names (ICU gives them)', () => {
    expect(designations.filter(({ system }) => system === 'urn:iso:std:iso:3166' || system === 'urn:ietf:bcp:47')).toEqual([]);
  });

  it('gives every ValueSet a computable name (FHIR: usable as an identifier), the words being in the title', () => {
    const valueSets = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ file: f, vs: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as fhir4.ValueSet }));
    expect(valueSets.length).toBeGreaterThan(0);
    expect(valueSets.filter(({ vs }) => !/^[A-Z]([A-Za-z0-9_]){0,254}$/.test(vs.name ?? '')).map(({ file, vs }) => `${file}: ${vs.name}`)).toEqual([]);
    expect(valueSets.filter(({ vs }) => !vs.title)).toEqual([]);
  });
});

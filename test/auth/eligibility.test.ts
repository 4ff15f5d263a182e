import { ELIGIBILITY_RULES, evaluateEligibility, type EligibilityDecision } from '../../src/auth/eligibility/index.js';
import type { PscUserInfo } from '../../src/auth/psc-userinfo.js';
import { EXPECTED_OUTCOMES, professional, professionals } from './fixtures.js';

const NOW = new Date('2026-11-24T10:00:00Z');

function codes(d: EligibilityDecision): string[] {
  return d.allowed ? [] : d.refusals.map((r) => r.code);
}

/** A clone of the eligible GP, changed by `edit`. */
function variant(edit: (u: PscUserInfo) => void): PscUserInfo {
  const u = structuredClone(professional('cyril-toubib-gp').userInfo);
  edit(u);
  return u;
}

const ex = (u: PscUserInfo) => u.SubjectRefPro!.exercices![0];
const act = (u: PscUserInfo) => ex(u).activities![0];

/** One identity per rule of the table that this rule, and only this rule, refuses. */
const RULE_EXAMPLES: Record<string, PscUserInfo> = {
  CARD_REVOKED: variant((u) => { u.cardStatus = { ...u.cardStatus, revoked: true }; }),
  CARD_EXPIRED: variant((u) => { u.cardStatus = { ...u.cardStatus, notAfter: '2026-11-23' }; }),
  NO_EXERCICE: variant((u) => { u.SubjectRefPro!.exercices = []; }),
  PROFESSION_NOT_ALLOWED: variant((u) => { ex(u).codeProfession = '28'; }),
  OCCUPATIONAL_MEDICINE: variant((u) => { ex(u).codeSavoirFaire = 'SM25'; }),
  NO_ACTIVITY: variant((u) => { ex(u).activities = []; }),
  NO_PRACTICE_MODE: variant((u) => { act(u).codeModeExercice = ''; }),
  NO_PLACE_OF_PRACTICE: variant((u) => { Object.assign(act(u), { raisonSocialeSite: '', enseigneCommercialeSite: '', libelleVoie: '', codePostal: '', codeCommune: '', libelleCommune: '' }); }),
  PRIVATE_INSURER: variant((u) => { act(u).codeSecteurDactivite = 'SA23'; }),
};

describe('eligibility rule table', () => {
  test('every rule has a unique stable code and both messages', () => {
    expect(new Set(ELIGIBILITY_RULES.map((r) => r.code)).size).toBe(ELIGIBILITY_RULES.length);
    for (const r of ELIGIBILITY_RULES) {
      expect(r.code).toMatch(/^[A-Z_]+$/);
      expect(r.messages.fr.length).toBeGreaterThan(10);
      expect(r.messages.en.length).toBeGreaterThan(10);
    }
    expect(Object.keys(RULE_EXAMPLES).sort()).toEqual(ELIGIBILITY_RULES.map((r) => r.code).sort());
  });

  test('the unmodified base identity is allowed', () => {
    expect(evaluateEligibility(professional('cyril-toubib-gp').userInfo, NOW).allowed).toBe(true);
  });

  test.each(ELIGIBILITY_RULES.map((r) => [r.code]))('rule %s refuses its example, and only it refuses', (code) => {
    expect(codes(evaluateEligibility(RULE_EXAMPLES[code], NOW))).toEqual([code]);
  });
});

describe('the test professionals of fixtures/practitioners', () => {
  test('every fixture has an expected outcome, and every rule is illustrated by one', () => {
    expect(professionals.map((p) => p.slug).sort()).toEqual(Object.keys(EXPECTED_OUTCOMES).sort());
    const illustrated = new Set(Object.values(EXPECTED_OUTCOMES).filter(Boolean));
    expect([...illustrated].sort()).toEqual(ELIGIBILITY_RULES.map((r) => r.code).sort());
  });

  test.each(Object.entries(EXPECTED_OUTCOMES))('%s → %s', (slug, expected) => {
    const decision = evaluateEligibility(professional(slug).userInfo, NOW);
    expect(codes(decision)).toEqual(expected ? [expected] : []);
  });
});

describe('several exercices and special cases', () => {
  test('allowed through the exercice that qualifies, which becomes the practice situation', () => {
    const d = evaluateEligibility(professional('multi-exercice-occupational-and-gp').userInfo, NOW);
    expect(d.allowed).toBe(true);
    if (d.allowed) {
      expect(d.situation.exerciceIndex).toBe(1);
      expect(d.situation.activity.raisonSocialeSite).toBe('CABINET MEDICAL DE LA GARE');
    }
  });

  test('when no exercice qualifies, every refusing rule is listed once', () => {
    const u = variant((x) => {
      ex(x).codeSavoirFaire = 'SM25';
      x.SubjectRefPro!.exercices!.push({ ...structuredClone(ex(x)), codeSavoirFaire: 'SM54', activities: [{ ...structuredClone(act(x)), codeSecteurDactivite: 'SA23' }] });
    });
    expect(codes(evaluateEligibility(u, NOW))).toEqual(['OCCUPATIONAL_MEDICINE', 'PRIVATE_INSURER']);
  });

  test('a card rule refuses even when a practice qualifies', () => {
    const u = variant((x) => { x.cardStatus = { notAfter: '2020-01-01', revoked: true }; });
    expect(codes(evaluateEligibility(u, NOW))).toEqual(['CARD_REVOKED', 'CARD_EXPIRED']);
  });

  test('a card valid through today is accepted; no card claim (real PSC) is accepted', () => {
    expect(evaluateEligibility(variant((x) => { x.cardStatus = { notAfter: '2026-11-24' }; }), NOW).allowed).toBe(true);
    expect(evaluateEligibility(variant((x) => { delete x.cardStatus; }), NOW).allowed).toBe(true);
  });

  test('occupational medicine only when the savoir-faire is an ordinal specialty (type S)', () => {
    expect(evaluateEligibility(variant((x) => { ex(x).codeSavoirFaire = 'SM25'; ex(x).codeTypeSavoirFaire = 'CAPA'; }), NOW).allowed).toBe(true);
  });

  test('pharmacy preparers are allowed by their TRE_R85 role whatever their profession code', () => {
    const preparer = variant((x) => { ex(x).codeProfession = '99'; act(x).codeRole = '316'; });
    expect(evaluateEligibility(preparer, NOW).allowed).toBe(true);
  });

  test('a site name alone, or an address alone, is enough place-of-practice information', () => {
    expect(evaluateEligibility(variant((x) => { Object.assign(act(x), { libelleVoie: '', codePostal: '' }); }), NOW).allowed).toBe(true);
    expect(evaluateEligibility(professional('speech-therapist').userInfo, NOW).allowed).toBe(true);
  });

  test('every allowed profession is allowed, one outside the list is not', () => {
    for (const code of ['10', '21', '40', '50', '60', '69', '70', '80', '91', '92', '94', '95', '96', '98']) {
      expect([code, evaluateEligibility(variant((x) => { ex(x).codeProfession = code; }), NOW).allowed]).toEqual([code, true]);
    }
    expect(evaluateEligibility(variant((x) => { ex(x).codeProfession = '26'; }), NOW).allowed).toBe(false);
  });
});

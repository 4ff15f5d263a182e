import type { PracticeSituation } from './eligibility/index.js';
import { CATEGORIES, NOS, PRACTICE_MODES, PROFESSIONS, SECTORS, SPECIALTIES, nosSystem } from './nos.js';
import { text, type PscActivity, type PscUserInfo } from './psc-userinfo.js';
import type { EhdsiFacilityType, PostalAddress, ProfessionalContext, SiteId } from '../kernel/professional.js';

export type { Coded, EhdsiFacilityType, PostalAddress, ProfessionalContext, SiteId } from '../kernel/professional.js';

/** OIDs of French identifiers (ASIP/ANS nomenclature). */
export const ID_SYSTEMS = {
  /** National id of a health professional (PSC SubjectNameID). */
  nationalPractitionerId: 'urn:oid:1.2.250.1.71.4.2.1',
  rpps: 'https://rpps.esante.gouv.fr',
  /** National id of a structure: type digit + FINESS (1), SIREN (2), SIRET (3)… */
  nationalStructureId: 'urn:oid:1.2.250.1.71.4.2.2',
  finess: 'https://finess.esante.gouv.fr',
  siret: 'https://sirene.fr',
  siren: 'https://sirene.fr/siren',
} as const;

const HOSPITAL_SECTORS = new Set(['SA01', 'SA02', 'SA03', 'SA04']);
/** CNOP sections of dispensary pharmacists (A owners, D assistants and others). */
const DISPENSARY_SECTIONS = new Set(['A', 'D']);

function facilityTypeOf(professionCode: string, activity: PscActivity): EhdsiFacilityType {
  const sector = text(activity.codeSecteurDactivite) ?? '';
  const section = text(activity.codeSectionPharmacien) ?? '';
  if (HOSPITAL_SECTORS.has(sector) || section === 'H') return 'Hospital';
  if (professionCode === '21' && (DISPENSARY_SECTIONS.has(section) || sector === 'SA33')) return 'Pharmacy';
  if (text(activity.codeModeExercice) === 'L') return 'Resident Physician';
  return 'Other';
}

function siteIdsOf(a: PscActivity): SiteId[] {
  const ids: SiteId[] = [];
  const finess = text(a.numeroFinessSite);
  const finessEj = text(a.numeroFinessetablissementJuridique);
  const siret = text(a.numeroSiretSite);
  const siren = text(a.numeroSirenSite);
  const technical = text(a.identifiantTechniqueDeLaStructure);
  if (finess) ids.push({ type: 'FINESS', value: finess, system: ID_SYSTEMS.finess });
  if (siret) ids.push({ type: 'SIRET', value: siret, system: ID_SYSTEMS.siret });
  if (siren) ids.push({ type: 'SIREN', value: siren, system: ID_SYSTEMS.siren });
  if (finessEj) ids.push({ type: 'FINESS_EJ', value: finessEj, system: ID_SYSTEMS.finess });
  if (technical) ids.push({ type: 'STRUCTURE', value: technical, system: ID_SYSTEMS.nationalStructureId });
  return ids;
}

function nationalStructureIdOf(ids: SiteId[]): string | undefined {
  const prefix: Partial<Record<SiteId['type'], string>> = { FINESS: '1', SIREN: '2', SIRET: '3' };
  const first = ids.find((i) => prefix[i.type] !== undefined);
  if (first) return `${prefix[first.type]}${first.value}`;
  return ids.find((i) => i.type === 'STRUCTURE')?.value;
}

function addressOf(a: PscActivity): PostalAddress {
  const street = [text(a.numeroVoie), text(a.indiceRepetitionVoie), text(a.libelleTypeDeVoie) ?? text(a.codeTypeDeVoie), text(a.libelleVoie)]
    .filter(Boolean).join(' ');
  const lines = [text(a.complementDestinataire), text(a.complementPointGeographique), street || undefined, text(a.mentionDistribution)]
    .filter((l): l is string => Boolean(l));
  const country = text(a.codePays);
  return {
    lines,
    postalCode: text(a.codePostal),
    city: text(a.libelleCommune) ?? text(a.bureauCedex),
    cityCode: text(a.codeCommune),
    // PSC gives INSEE country codes; 99000 (or none) is France.
    country: !country || country === '99000' || country === '99100' ? 'FR' : country,
  };
}

/** The RPPS number of a national id (8 + RPPS), or from otherIds. */
export function rppsOf(who: PscUserInfo): string | undefined {
  const fromId = /^8(\d{11})$/.exec(who.SubjectNameID)?.[1];
  if (fromId) return fromId;
  return text(who.otherIds?.find((o) => o.origine === 'RPPS')?.identifiant);
}

/** Builds the session's context from an identity and the situation eligibility chose. */
export function toProfessionalContext(who: PscUserInfo, situation: PracticeSituation): ProfessionalContext {
  const { exercice, activity } = situation;
  const givenName = text(exercice.prenomDexercice) ?? text(who.given_name) ?? '';
  const familyName = text(exercice.nomDexercice) ?? text(who.family_name) ?? '';
  const professionCode = text(exercice.codeProfession) ?? '';
  const categoryCode = text(exercice.codeCategorieProfessionnelle);
  const specialtyCode = text(exercice.codeSavoirFaire);
  const sectorCode = text(activity.codeSecteurDactivite);
  const modeCode = text(activity.codeModeExercice) ?? '';
  const siteIds = siteIdsOf(activity);
  const address = addressOf(activity);
  const displayName = [givenName, familyName].filter(Boolean).join(' ') || who.SubjectNameID;
  return {
    nationalId: who.SubjectNameID,
    rpps: rppsOf(who),
    givenName,
    familyName,
    displayName,
    civility: text(exercice.codeCiviliteDexercice),
    profession: { code: professionCode, display: PROFESSIONS[professionCode] ?? professionCode, system: nosSystem(NOS.profession) },
    ...(categoryCode ? { category: { code: categoryCode, display: CATEGORIES[categoryCode], system: nosSystem(NOS.category) } } : {}),
    ...(specialtyCode ? {
      specialty: { code: specialtyCode, display: SPECIALTIES[specialtyCode], system: nosSystem(NOS.specialty), savoirFaireType: text(exercice.codeTypeSavoirFaire) },
    } : {}),
    ...(text(activity.codeRole) ? { role: text(activity.codeRole) } : {}),
    ...(text(activity.codeSectionPharmacien) ? { pharmacistSection: text(activity.codeSectionPharmacien) } : {}),
    practice: {
      mode: { code: modeCode, display: PRACTICE_MODES[modeCode], system: nosSystem(NOS.practiceMode) },
      ...(sectorCode ? { sector: { code: sectorCode, display: SECTORS[sectorCode], system: nosSystem(NOS.sector) } } : {}),
      organisationName: text(activity.raisonSocialeSite) ?? text(activity.enseigneCommercialeSite)
        ?? `Cabinet de ${displayName}${address.city ? ` (${address.city})` : ''}`,
      siteIds,
      nationalStructureId: nationalStructureIdOf(siteIds),
      address,
      phone: text(activity.telephone),
      email: text(activity.adresseEMail),
      facilityType: facilityTypeOf(professionCode, activity),
    },
    source: { exerciceIndex: situation.exerciceIndex, activityIndex: situation.activityIndex },
  };
}

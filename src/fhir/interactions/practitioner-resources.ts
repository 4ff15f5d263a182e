import type { AuthenticatedProfessional } from '../../auth/professional.js';
import { ID_SYSTEMS, type Coded, type PostalAddress } from '../../auth/professional-context.js';
import { NOS, nosSystem } from '../../auth/nos.js';
import { text } from '../../auth/psc-userinfo.js';

/**
 * The logged-in professional as FHIR resources, mapped like the French
 * directory profiles (docs/references.md#pro-santé-connect-userinfo-and-the-french-nomenclatures): national id and RPPS identifiers, name and
 * qualifications on Practitioner; profession, category, specialty, practice
 * mode and the site (contained Organization + Location) on PractitionerRole.
 */

/** Identifier types of the French v2-0203 extension (IDNPS national id, RPPS). */
const FR_ID_TYPE_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203';

export function roleIdOf(practitionerId: string): string {
  return `${practitionerId}-role`;
}

function coding(c: Coded): fhir4.Coding {
  return { system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) };
}

function address(a: PostalAddress): fhir4.Address {
  return {
    use: 'work',
    type: 'physical',
    ...(a.lines.length ? { line: a.lines } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    ...(a.city ? { city: a.city } : {}),
    country: a.country,
    text: [...a.lines, [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
  };
}

export function practitionerOf(p: AuthenticatedProfessional): fhir4.Practitioner {
  const c = p.context;
  const identifier: fhir4.Identifier[] = [{
    use: 'official',
    type: { coding: [{ system: FR_ID_TYPE_SYSTEM, code: 'IDNPS', display: 'Identifiant National de Professionnel de Santé' }] },
    system: ID_SYSTEMS.nationalPractitionerId,
    value: c.nationalId,
  }];
  if (c.rpps) {
    identifier.push({ use: 'official', type: { coding: [{ system: FR_ID_TYPE_SYSTEM, code: 'RPPS', display: 'N° RPPS' }] }, system: ID_SYSTEMS.rpps, value: c.rpps });
  }
  // One qualification per exercice of the professional, not only the session's.
  const qualification: fhir4.PractitionerQualification[] = [];
  for (const e of p.userInfo.SubjectRefPro?.exercices ?? []) {
    const profession = text(e.codeProfession);
    if (profession) qualification.push({ code: { coding: [{ system: nosSystem(NOS.profession), code: profession }] } });
    const savoirFaire = text(e.codeSavoirFaire);
    if (savoirFaire) qualification.push({ code: { coding: [{ system: nosSystem(NOS.specialty), code: savoirFaire }] } });
  }
  const prefix = c.civility === 'DR' ? ['Dr'] : c.civility === 'PR' ? ['Pr'] : undefined;
  return {
    resourceType: 'Practitioner',
    id: p.practitionerId,
    identifier,
    active: true,
    name: [{
      use: 'usual',
      family: c.familyName,
      ...(c.givenName ? { given: [c.givenName] } : {}),
      ...(prefix ? { prefix } : {}),
      text: c.displayName,
    }],
    ...(qualification.length ? { qualification } : {}),
  };
}

export function practitionerRoleOf(p: AuthenticatedProfessional): fhir4.PractitionerRole {
  const c = p.context;
  const codes: fhir4.CodeableConcept[] = [{ coding: [coding(c.profession)], text: c.profession.display }];
  if (c.category) codes.push({ coding: [coding(c.category)] });
  codes.push({ coding: [coding(c.practice.mode)], text: 'Mode d\'exercice' });
  const organization: fhir4.Organization = {
    resourceType: 'Organization',
    id: 'site',
    ...(c.practice.siteIds.length ? { identifier: c.practice.siteIds.map((i) => ({ system: i.system, value: i.value, type: { text: i.type } })) } : {}),
    active: true,
    ...(c.practice.sector ? { type: [{ coding: [coding(c.practice.sector)] }] } : {}),
    name: c.practice.organisationName,
    address: [address(c.practice.address)],
    ...(c.practice.phone ? { telecom: [{ system: 'phone', value: c.practice.phone, use: 'work' }] } : {}),
  };
  const location: fhir4.Location = {
    resourceType: 'Location',
    id: 'place',
    status: 'active',
    name: c.practice.organisationName,
    address: address(c.practice.address),
    managingOrganization: { reference: '#site' },
  };
  return {
    resourceType: 'PractitionerRole',
    id: roleIdOf(p.practitionerId),
    contained: [organization, location],
    active: true,
    practitioner: { reference: `Practitioner/${p.practitionerId}`, display: c.displayName },
    organization: { reference: '#site', display: c.practice.organisationName },
    code: codes,
    ...(c.specialty ? { specialty: [{ coding: [coding(c.specialty)] }] } : {}),
    location: [{ reference: '#place', display: c.practice.organisationName }],
  };
}

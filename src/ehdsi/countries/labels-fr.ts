/**
 * French wording of the label keys that InternationalSearchMask files use
 * (`label.ism.*` and the older `patient.search.*` keys). The registry's data
 * file gives a country-specific label and help for each shipped trait; this
 * dictionary is the fallback for masks given by an operator.
 */
export interface LabelFr {
  labelFr: string;
  helpFr: string;
}

const LABELS: Record<string, LabelFr> = {
  nationalPersonIdentifier: { labelFr: 'Identifiant national de la personne', helpFr: "Figure sur la carte d'identité ou le passeport du patient." },
  nationalIdentityCardNumber: { labelFr: "Numéro de carte d'identité nationale", helpFr: "Figure sur la carte d'identité du patient." },
  nationalSocialSecurityNumber: { labelFr: 'Numéro de sécurité sociale', helpFr: "Figure sur la carte d'assurance maladie du patient." },
  healthCardNumber: { labelFr: "Numéro de carte d'assurance maladie", helpFr: "Figure sur la carte d'assurance maladie du patient." },
  passportNumber: { labelFr: 'Numéro de passeport', helpFr: 'Figure sur la page d’identité du passeport.' },
  regionalPatientIdentifier: { labelFr: 'Identifiant régional du patient', helpFr: "Figure sur la carte d'assurance maladie régionale du patient." },
  regionIdentifier: { labelFr: 'Code de la région', helpFr: "Figure sur la carte d'assurance maladie régionale du patient." },
  firstName: { labelFr: 'Prénom', helpFr: "Tel qu'écrit sur la pièce d'identité." },
  familyName: { labelFr: 'Nom de famille', helpFr: "Tel qu'écrit sur la pièce d'identité." },
  birthDate: { labelFr: 'Date de naissance', helpFr: 'Au format AAAA-MM-JJ.' },
  gender: { labelFr: 'Sexe', helpFr: "Tel qu'indiqué sur la pièce d'identité." },
  addressStreet: { labelFr: 'Adresse (rue)', helpFr: 'Adresse de résidence du patient.' },
  addressPostalCode: { labelFr: 'Code postal', helpFr: 'Adresse de résidence du patient.' },
  addressCity: { labelFr: 'Ville', helpFr: 'Adresse de résidence du patient.' },
  addressCountry: { labelFr: 'Pays', helpFr: 'Pays de résidence du patient.' },
  'patient.search.patient.svnr': { labelFr: "Numéro d'assurance maladie", helpFr: "Figure sur la carte d'assurance maladie du patient." },
  'patient.search.patient.id': { labelFr: 'Identifiant du patient', helpFr: "Figure sur la carte d'assurance maladie du patient." },
  'patient.data.unique.identifier': { labelFr: 'Identifiant unique du patient', helpFr: "Figure sur la carte d'identité ou la carte d'assurance maladie du patient." },
  'patient.search.fiscal.code': { labelFr: 'Code fiscal', helpFr: "Figure au recto de la carte d'assurance maladie (Tessera Sanitaria)." },
  'patient.search.serial': { labelFr: 'Numéro de série de la carte', helpFr: "Figure au verso de la carte d'assurance maladie." },
};

/** Key of a label: `label.ism.healthCardNumber` → `healthCardNumber`; other keys unchanged. */
export function labelKey(label: string): string {
  return label.startsWith('label.ism.') ? label.slice('label.ism.'.length) : label;
}

/** French label and help for a mask label key, or undefined when unknown. */
export function frenchLabel(label: string | undefined): LabelFr | undefined {
  if (!label) return undefined;
  return LABELS[labelKey(label)];
}

/** Canonical URLs and code systems of the journey (definitions in conformance/, identifiers of our resources). */
export const CANONICAL_BASE = 'https://ehdsi-fhir-facade.org/fhir';

export const JOURNEY_CANONICALS = {
  countriesValueSet: `${CANONICAL_BASE}/ValueSet/countries`,
  questionnaire: (country: string) => `${CANONICAL_BASE}/Questionnaire/search-mask-${country.toLowerCase()}`,
  summaryOperation: `${CANONICAL_BASE}/OperationDefinition/Patient-summary`,
  matchOperation: `${CANONICAL_BASE}/OperationDefinition/Patient-match`,
  verificationKind: `${CANONICAL_BASE}/StructureDefinition/consent-verification-kind`,
  verificationKindSystem: `${CANONICAL_BASE}/CodeSystem/consent-verification`,
  searchParameter: (id: string) => `${CANONICAL_BASE}/SearchParameter/${id}`,
} as const;

/** Profiles and IGs the journey implements (CapabilityStatement.instantiates / supportedProfile). */
export const IMPLEMENTED = {
  ipsServer: 'http://hl7.org/fhir/uv/ips/CapabilityStatement/ips-server',
  pdqmSupplier: 'https://profiles.ihe.net/ITI/PDQm/CapabilityStatement/IHE.PDQm.PatientDemographicsSupplier',
  mhdResponder: 'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentResponder',
  pdqmPatient: 'https://profiles.ihe.net/ITI/PDQm/StructureDefinition/IHE.PDQm.Patient',
  ipsBundle: 'http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips',
  mhdMinimalDocumentReference: 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference',
  sdcQuestionnaire: 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire',
} as const;

export const SYSTEMS = {
  iso3166: 'urn:iso:std:iso:3166',
  uri: 'urn:ietf:rfc:3986',
  loinc: 'http://loinc.org',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  nationalPractitionerId: 'urn:oid:1.2.250.1.71.4.2.1',
  rpps: 'https://rpps.esante.gouv.fr',
  matchGrade: 'http://hl7.org/fhir/StructureDefinition/match-grade',
  regex: 'http://hl7.org/fhir/StructureDefinition/regex',
  minLength: 'http://hl7.org/fhir/StructureDefinition/minLength',
  itemControl: 'http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl',
  itemControlCodes: 'http://hl7.org/fhir/questionnaire-item-control',
} as const;


// FHIR R4 types from @types/fhir, re-exported under short names for the project.
export type Resource = fhir4.Resource;
export type AnyResource = fhir4.FhirResource;
export type OperationOutcome = fhir4.OperationOutcome;
export type OperationOutcomeIssue = fhir4.OperationOutcomeIssue;
export type CodeableConcept = fhir4.CodeableConcept;
export type Coding = fhir4.Coding;
export type Bundle = fhir4.Bundle;
export type BundleEntry = fhir4.BundleEntry;
export type CapabilityStatement = fhir4.CapabilityStatement;
export type CapabilityStatementRestResource = fhir4.CapabilityStatementRestResource;
export type CapabilityStatementRestSecurity = fhir4.CapabilityStatementRestSecurity;

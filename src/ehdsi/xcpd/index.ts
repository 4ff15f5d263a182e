export { buildXcpdRequest, hl7Timestamp, XcpdRequestError, type XcpdRequestInit, type TraitValue, type Demographics } from './request.js';
export { parseXcpdResponse, hl7DateToIso, XcpdResponseError, type XcpdOutcome, type MatchedPatient, type InstanceId, type PersonName, type PostalAddress, type DetectedIssue, type AcknowledgementDetail } from './response.js';
export { discoverPatients, xcpdOutcomeError, type DiscoverOptions } from './discover.js';

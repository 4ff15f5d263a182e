/** A search-mask file that cannot be read: malformed or hostile XML, no identity trait, bad OID. */
export class SearchMaskError extends Error {
  constructor(readonly source: string, message: string) {
    super(`search mask ${source}: ${message}`);
    this.name = 'SearchMaskError';
  }
}

/** The operator's countries file (or a shipped data file) is not valid. */
export class CountryConfigError extends Error {
  constructor(readonly source: string, message: string) {
    super(`countries configuration ${source}: ${message}`);
    this.name = 'CountryConfigError';
  }
}

/** A user asked for a country the registry does not know (the FHIR layer answers 4xx). */
export class UnknownCountryError extends Error {
  constructor(readonly code: string) {
    super(`country "${code}" is not reachable through this service`);
    this.name = 'UnknownCountryError';
  }
}

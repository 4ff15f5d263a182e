export { countryRegistryFromConfig } from './from-config.js';
export { CountryConfigError, SearchMaskError, UnknownCountryError } from './errors.js';
export {
  DEFAULT_SIMULATOR_BASE_URL,
  loadCountryRegistry,
  simulatorEndpoints,
  validateTraits,
  type Country,
  type CountryEndpoints,
  type CountryRegistry,
  type LoadCountryOptions,
  type TraitProblem,
  type TraitProblemCode,
} from './registry.js';
export {
  parseSearchMask,
  type DemographicField,
  type FieldRule,
  type IdentityTrait,
  type ParseMaskOptions,
  type SearchMask,
} from './search-mask.js';

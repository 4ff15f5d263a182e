import type { CapabilityContributor } from '../../kernel/request.js';
import { HandlerRegistry } from '../registry.js';
import { registerPractitioner } from './practitioner.js';
import { registerPractitionerRole } from './practitioner-role.js';
import { registerJourney, type JourneyDeps } from './journey.js';

/** Dependencies the interactions need (services of the lower layers). */
export interface InteractionDeps {
  /** CapabilityStatement.rest.security of the configured Pro Santé Connect (auth layer). */
  security?: CapabilityContributor;
  /** The eHDSI journey's services (store, countries, transport); without them only the professional's own resources are served. */
  journey?: JourneyDeps;
}

/**
 * Registers every FHIR interaction of the server. Each interaction lives in its
 * own file and exports a `register…(registry, deps)` function called here.
 */
export function buildRegistry(deps: InteractionDeps = {}): HandlerRegistry {
  const registry = new HandlerRegistry();
  if (deps.security) registry.contributors.push(deps.security);
  registerPractitioner(registry);
  registerPractitionerRole(registry);
  if (deps.journey) registerJourney(registry, deps.journey);
  return registry;
}

import { HandlerRegistry } from '../registry.js';

/** Dependencies the interactions need (services of the lower layers). */
export type InteractionDeps = Record<string, never>;

/**
 * Registers every FHIR interaction of the server. Each interaction lives in its
 * own file and exports a `register…(registry, deps)` function called here.
 */
export function buildRegistry(_deps: InteractionDeps = {}): HandlerRegistry {
  const registry = new HandlerRegistry();
  return registry;
}

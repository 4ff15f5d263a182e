import { buildCapabilityStatement } from '../capability.js';
import type { HandlerRegistry } from '../registry.js';
import { packageInfo } from '../../util/project.js';

/**
 * GET /fhir/metadata. Registered as a system-level "operation-like" route
 * outside the registry's resources, so it is public and never itself listed.
 */
export function capabilityHandler(registry: HandlerRegistry, startedAt: Date) {
  const software = packageInfo();
  return (baseUrl: string) => buildCapabilityStatement(registry, software, baseUrl, startedAt.toISOString());
}

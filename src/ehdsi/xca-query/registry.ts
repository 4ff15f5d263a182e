/** ebXML registry response pieces shared by ITI-38 and ITI-39: status and RegistryError list. */
import { attr, child, children, type Element } from '../soap/xml.js';

export type RegistryStatus = 'Success' | 'PartialSuccess' | 'Failure';

export interface RegistryError {
  errorCode: string;
  codeContext?: string;
  severity: 'error' | 'warning';
  location?: string;
}

const STATUS: Record<string, RegistryStatus> = {
  'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success': 'Success',
  'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess': 'PartialSuccess',
  'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure': 'Failure',
};

export class RegistryResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryResponseError';
  }
}

/** Reads the status attribute; an unknown status is a malformed answer. */
export function registryStatus(el: Element | undefined): RegistryStatus {
  const raw = attr(el, 'status');
  const status = raw ? STATUS[raw] : undefined;
  if (!status) throw new RegistryResponseError(`unknown registry response status ${raw ?? '(none)'}`);
  return status;
}

/** RegistryError entries of the RegistryErrorList child of `el`. */
export function registryErrors(el: Element | undefined): RegistryError[] {
  return children(child(el, 'RegistryErrorList'), 'RegistryError').map((e) => ({
    errorCode: attr(e, 'errorCode') ?? '',
    codeContext: attr(e, 'codeContext'),
    severity: /Warning$/i.test(attr(e, 'severity') ?? '') ? 'warning' : 'error',
    location: attr(e, 'location'),
  }));
}

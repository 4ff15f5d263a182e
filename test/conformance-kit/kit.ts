/** The kit's checks in order, against one deployment; the CLI is run.ts. */
import { checkCapability } from './capability.js';
import { checkCors } from './cors.js';
import { KitHttp } from './http.js';
import { checkIps } from './ips.js';
import { walkJourney, type PatientToFind } from './journey.js';
import { checkLinks, checkPaging } from './links.js';
import { Report } from './report.js';

/** The README's patient, known to the embedded simulator (Croatia). */
export const DEFAULT_PATIENT: PatientToFind = { country: 'HR', identifiers: ['urn:oid:2.16.17.710.840.1000.990.1|157601853'] };

export interface KitOptions {
  /** FHIR base URL, e.g. http://localhost:8080/fhir */
  base: string;
  /** An eligible professional's bearer token. */
  token: string;
  /** The IPS implementation guide folder the $summary is validated against. */
  ig?: string;
  patient?: PatientToFind;
}

export async function runKit(options: KitOptions, out: (line: string) => void): Promise<{ report: Report; requests: number }> {
  const http = new KitHttp(options.base.replace(/\/+$/, ''), options.token);
  const report = new Report(out);
  const capability = await checkCapability(http, report);
  if (!capability) {
    out('no CapabilityStatement: nothing else can be checked');
    return { report, requests: http.calls };
  }
  const found = await walkJourney(http, report, options.patient ?? DEFAULT_PATIENT);
  await checkLinks(http, report, found);
  await checkPaging(http, report);
  await checkCors(http, report);
  if (options.ig) await checkIps(report, found.summary, options.ig);
  else out('  (no --ig: the $summary is not validated against the IPS implementation guide)');
  return { report, requests: http.calls };
}

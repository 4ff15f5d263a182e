/**
 * Conformance kit: checks a running deployment of the facade as a tester would.
 *   npm run conformance -- <FHIR base URL> --token <bearer> [--ig <IPS IG folder>] [--patient <country>:<system>|<value>[,<system>|<value>…]]
 * The CapabilityStatement is true (every declared interaction answers, nothing
 * else does), the journey works (PDQm, a plain-FHIR Consent, $summary, MHD,
 * audit), every searchset link resolves, paging walks every match, CORS lets a
 * browser app in, and the $summary is a valid IPS document for the IG given.
 * Prints one line per check; exits 1 when any fails, 2 on a usage error.
 * The token is an eligible professional's (npm run -s dev-token -- <national id> against npm start).
 */
import { existsSync } from 'node:fs';
import type { PatientToFind } from './journey.js';
import { DEFAULT_PATIENT, runKit, type KitOptions } from './kit.js';

const USAGE = 'usage: npm run conformance -- <FHIR base URL> --token <bearer> [--ig <IPS IG folder>] [--patient <country>:<system>|<value>[,…]]\n';

function parse(argv: string[]): KitOptions | string {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) positional.push(arg);
    else if (['--token', '--ig', '--patient'].includes(arg) && argv[i + 1] !== undefined) named.set(arg, argv[++i]);
    else return `unknown or incomplete option ${arg}`;
  }
  const [base] = positional;
  if (!base || positional.length > 1) return 'one FHIR base URL is needed';
  if (!/^https?:\/\//.test(base)) return `${base} is not an http(s) URL`;
  const token = named.get('--token') ?? process.env.FHIR_TOKEN;
  if (!token) return '--token <bearer> (or FHIR_TOKEN) is needed';
  const ig = named.get('--ig');
  if (ig && !existsSync(ig)) return `${ig}: no such IG folder`;
  let patient: PatientToFind = DEFAULT_PATIENT;
  const spec = named.get('--patient');
  if (spec !== undefined) {
    const colon = spec.indexOf(':');
    const identifiers = spec.slice(colon + 1).split(',').filter(Boolean);
    if (colon !== 2 || !identifiers.length || identifiers.some((i) => !i.includes('|'))) return `--patient ${spec}: expected <country>:<system>|<value>[,…]`;
    patient = { country: spec.slice(0, 2).toUpperCase(), identifiers };
  }
  return { base, token, ig, patient };
}

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}`);
    return 2;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  out(`conformance kit: ${options.base}`);
  const { report, requests } = await runKit(options, out);
  const failures = report.failures;
  out(`conformance: ${report.results.length - failures.length}/${report.results.length} checks passed, ${requests} requests, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failures.length || !report.results.length ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`conformance kit failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});

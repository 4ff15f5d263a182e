/**
 * Runs the whole eHDSI chain against the simulated network and prints what it did:
 * XCPD discovery of a patient, XCA FindDocuments, then XCA retrieve of the
 * level 3 CDA and the level 1 PDF.
 *
 *   npm run ehdsi:chain                        (MARIJA BOŽIČEVIĆ, Croatia, 157601853)
 *   npm run ehdsi:chain -- --country PT --id <identifier> [--out <folder>] [--simulator <url>]
 *
 * Without --simulator it starts its own simulator on a free loopback port; with
 * it, it talks to a running one (e.g. the one `npm start` serves).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { admitProfessional } from '../auth/authenticator.js';
import { loadConfig } from '../config/config.js';
import { loadTestProfessionals, TestProfessionalDirectory } from '../dev-idp/practitioners.js';
import { hcpIdentityOf } from '../journey/hcp-identity.js';
import type { ProfessionalContext } from '../kernel/professional.js';
import { loadCountryRegistry, type Country } from '../ehdsi/countries/index.js';
import {
  buildHcpAssertion, buildTrcAssertion, createEhdsiTransport, discoverPatients, findPatientSummaries, retrieveDocument,
} from '../ehdsi/index.js';
import { startSimulator, type RunningSimulator } from '../simulator/index.js';

const { values } = parseArgs({
  options: {
    country: { type: 'string', default: 'HR' },
    id: { type: 'string', default: '157601853' },
    out: { type: 'string' },
    simulator: { type: 'string' },
    emergency: { type: 'boolean', default: false },
  },
});

/** The user guide's professional (CYRIL TOUBIB), as the PSC stand-in knows him and the journey admits him. */
function demoProfessional(): ProfessionalContext {
  const cyril = new TestProfessionalDirectory(loadTestProfessionals()).findByNationalId('899700209937');
  if (!cyril) throw new Error('fixtures/practitioners has no CYRIL TOUBIB (899700209937)');
  const admitted = admitProfessional(cyril.userInfo, { expiresAt: 0 });
  if (!admitted.allowed) throw new Error(`CYRIL TOUBIB is not eligible: ${admitted.refusals.map((r) => r.code).join(', ')}`);
  return admitted.professional.context;
}

function say(step: string, detail: string): void {
  process.stdout.write(`${step.padEnd(14)} ${detail}\n`);
}

async function main(): Promise<number> {
  const config = loadConfig(process.env, { logLevel: 'silent' });
  const transport = createEhdsiTransport(config);
  let simulator: RunningSimulator | undefined;
  let baseUrl = values.simulator;
  if (!baseUrl) {
    const provisional = loadCountryRegistry({});
    simulator = await startSimulator({ countries: provisional.list(), trustedCertificatesPem: [transport.keys.certificatePem] });
    baseUrl = simulator.url;
    say('simulator', `started at ${baseUrl}`);
  } else {
    say('simulator', `using ${baseUrl}`);
  }
  try {
    const countries = loadCountryRegistry({ simulatorBaseUrl: baseUrl });
    const country: Country | undefined = countries.get(values.country!);
    if (!country) {
      process.stderr.write(`unknown country ${values.country}; known: ${countries.list().map((c) => c.code).join(', ')}\n`);
      return 2;
    }
    const trait = country.searchMask.traits[0];
    const identity = hcpIdentityOf(demoProfessional(), transport.homeCommunityId, values.emergency ? 'EMERGENCY' : 'TREATMENT');
    const hcp = buildHcpAssertion(identity, transport.keys);
    say('HCP assertion', `${hcp.id} for ${identity.displayName} (${identity.subjectId}), valid until ${hcp.notOnOrAfter.toISOString()}`);

    say('XCPD ITI-55', `${country.nameFr} (${country.code}) ${country.endpoints.xcpd}: ${trait.labelFr} [${trait.domainOid}] = ${values.id}`);
    const outcome = await discoverPatients(transport.client, { country: country.code, endpoint: country.endpoints.xcpd, homeCommunityId: country.homeCommunityId },
      [{ domainOid: trait.domainOid, value: values.id! }], undefined, hcp.xml, { senderHomeCommunityId: transport.homeCommunityId });
    if (outcome.kind !== 'matches') {
      say('  result', `${outcome.kind}: ${[...outcome.issues.map((i) => i.code), ...outcome.ackDetails.map((d) => d.code)].filter(Boolean).join(', ')}`);
      return 1;
    }
    for (const p of outcome.patients) {
      const name = p.names[0];
      say('  match', `${name?.given.join(' ')} ${name?.family.join(' ')}, ${p.gender ?? '?'}, born ${p.birthDate ?? '?'}, id ${p.id.extension}^^^&${p.id.root}&ISO`);
    }
    const patient = outcome.patients[0];

    const trc = buildTrcAssertion({ patientId: patient.id, purposeOfUse: values.emergency ? 'EMERGENCY' : 'TREATMENT', hcp: { id: hcp.id, subjectId: identity.subjectId } }, transport.keys);
    say('TRC assertion', `${trc.id} bound to ${hcp.id}, valid until ${trc.notOnOrAfter.toISOString()}`);

    say('XCA ITI-38', `FindDocuments (60591-5) at ${country.endpoints.xcaQuery}`);
    const found = await findPatientSummaries(transport.client, { country: country.code, endpoint: country.endpoints.xcaQuery, homeCommunityId: country.homeCommunityId },
      patient.id, { hcp: hcp.xml, trc: trc.xml });
    for (const w of found.warnings) say('  warning', `${w.errorCode} ${w.codeContext ?? ''}`);
    if (found.entries.length === 0) {
      say('  result', 'no patient summary for this patient');
      return 0;
    }
    for (const e of found.entries) say('  entry', `${e.level ?? '?'} ${e.mimeType} ${e.formatCode ?? ''} ${e.size ?? '?'} bytes, language ${e.languageCode ?? '?'}, created ${e.creationTime ?? '?'}`);

    for (const entry of found.entries) {
      say('XCA ITI-39', `retrieve ${entry.level ?? ''} ${entry.uniqueId} at ${country.endpoints.xcaRetrieve}`);
      const doc = await retrieveDocument(transport.client, { country: country.code, endpoint: country.endpoints.xcaRetrieve, homeCommunityId: country.homeCommunityId },
        { homeCommunityId: entry.homeCommunityId, repositoryUniqueId: entry.repositoryUniqueId, documentUniqueId: entry.uniqueId }, { hcp: hcp.xml, trc: trc.xml });
      const sha1 = createHash('sha1').update(doc.data).digest('hex');
      const hashNote = entry.hash ? (entry.hash.toLowerCase() === sha1 ? 'hash matches the registry' : `HASH MISMATCH (registry ${entry.hash})`) : 'no hash in the registry';
      say('  document', `${doc.mimeType}, ${doc.data.length} bytes, sha1 ${sha1} (${hashNote})`);
      if (values.out) {
        mkdirSync(values.out, { recursive: true });
        const file = path.join(values.out, `${country.code}-${entry.level ?? 'doc'}.xml`);
        writeFileSync(file, doc.data);
        say('  saved', file);
      }
    }
    return 0;
  } finally {
    await simulator?.close();
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

/**
 * The journey server of the tests (test/journey/harness.ts: FHIR server, PSC
 * stand-in, eHDSI simulator, SQLite store) in a process of its own, for the
 * hostile-input suite: a request that blocks its event loop must not block the
 * client that measures how long /health takes meanwhile. Prints one JSON line
 * (url, a bearer token of a test doctor) once listening; stops on SIGTERM or
 * when its parent's pipe closes.
 *
 * HOSTILE_MAX_BODY_BYTES: the body limit (fhir.maxBodyBytes) of this server.
 */
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { DOCTOR, startJourneyServer } from '../journey/harness.js';

const maxBodyBytes = Number(process.env.HOSTILE_MAX_BODY_BYTES ?? 4 * 1024 * 1024);
const server = await startJourneyServer({ config: { 'fhir.maxBodyBytes': maxBodyBytes } });
const idp = server.auth.devIdp!;
const pro = idp.directory.findByNationalId(DOCTOR)!;
// (an hour: the suite, run against a server that takes minutes per request, outlives the usual ten minutes)
const token = await mintAccessToken(idp.keys, idp.issuer, pro, DEV_EHR_CLIENT_ID, 3600);

let closing = false;
const stop = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ url: server.url, token, maxBodyBytes })}\n`);

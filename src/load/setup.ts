/**
 * What a load run needs before the clock starts: the server answers, it
 * accepts tokens of the embedded Pro Santé Connect stand-in whose signing key
 * is in the data dir, one access token per virtual professional (minted as
 * `npm run dev-token` does), and the simulator's patients.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { mintAccessToken } from '../dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID, REALM_PATH } from '../dev-idp/constants.js';
import { loadOrCreateDevIdpKeys } from '../dev-idp/keys.js';
import { illustration } from '../dev-idp/login-page.js';
import { loadTestProfessionals, type TestProfessional } from '../dev-idp/practitioners.js';
import { projectPath } from '../util/project.js';
import { isLoopbackHost } from './options.js';

/** A failure before the load starts (no server, no stand-in, another key): exit code 1. */
export class SetupError extends Error {}

export interface VirtualProfessional {
  index: number;
  nationalId: string;
  name: string;
  token: string;
}

export interface LoadPatient {
  slug: string;
  country: string;
  /** Identifiers as assigning authority OID → value. */
  identifiers: Array<{ root: string; extension: string }>;
  hasL1: boolean;
}

async function getJson(url: string, what: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new SetupError(`no answer from ${url} (${what}): ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message} — is the server running (npm start)?`);
  }
  const text = await res.text();
  if (res.status !== 200) throw new SetupError(`${url} (${what}) answered HTTP ${res.status}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SetupError(`${url} (${what}) did not answer JSON`);
  }
}

/**
 * The issuer the server accepts, from its SMART configuration; it must be the
 * embedded stand-in on loopback, and its published key the one in the data dir.
 */
export async function standInIssuer(base: string, dataDir: string): Promise<{ issuer: string; keysFile: string }> {
  await getJson(`${base}/fhir/metadata`, 'the CapabilityStatement');
  const smart = await getJson(`${base}/.well-known/smart-configuration`, 'the SMART configuration');
  const issuer = String(smart.issuer ?? '');
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new SetupError(`the server names no usable issuer (${JSON.stringify(issuer)}) at /.well-known/smart-configuration`);
  }
  if (!isLoopbackHost(issuerUrl.hostname) || !issuerUrl.pathname.endsWith(REALM_PATH)) {
    throw new SetupError(`the server accepts tokens of ${issuer}, not of the embedded Pro Santé Connect stand-in: load mints stand-in tokens, so run the server without PSC_ISSUER`);
  }
  const keysFile = path.join(dataDir, 'dev-idp', 'keys.json');
  if (!existsSync(keysFile)) throw new SetupError(`no stand-in signing key at ${keysFile}: give --data-dir the server's DATA_DIR`);
  const keys = await loadOrCreateDevIdpKeys(dataDir);
  const jwksUri = String(smart.jwks_uri ?? `${issuer}/protocol/openid-connect/certs`);
  if (!isLoopbackHost(new URL(jwksUri, issuer).hostname)) throw new SetupError(`the stand-in's keys are published outside this machine (${jwksUri}): refused`);
  const jwks = await getJson(new URL(jwksUri, issuer).href, 'the stand-in\'s keys');
  const kids = Array.isArray(jwks.keys) ? (jwks.keys as Array<{ kid?: string }>).map((k) => k.kid) : [];
  if (!kids.includes(keys.signingJwk.kid)) {
    throw new SetupError(`the stand-in's signing key in ${keysFile} is not the running server's (kid ${keys.signingJwk.kid}, server: ${kids.join(', ') || 'none'}): give --data-dir the server's DATA_DIR`);
  }
  return { issuer, keysFile };
}

/** One token per virtual professional, the eligible test professionals reused round-robin. */
export async function mintProfessionals(config: Config, dataDir: string, issuer: string, count: number, ttlSeconds: number): Promise<VirtualProfessional[]> {
  const eligible: TestProfessional[] = loadTestProfessionals(config.get('auth.devIdp.practitionersDir') as string | undefined)
    .filter((p) => illustration(p).eligible);
  if (eligible.length === 0) throw new SetupError('no eligible test professional in the stand-in\'s practitioners folder');
  const keys = await loadOrCreateDevIdpKeys(dataDir);
  const out: VirtualProfessional[] = [];
  for (let index = 0; index < count; index++) {
    const pro = eligible[index % eligible.length];
    out.push({
      index,
      nationalId: pro.userInfo.SubjectNameID,
      name: `${pro.userInfo.given_name ?? ''} ${pro.userInfo.family_name ?? ''}`.trim(),
      // Each virtual professional has its own token (jti), hence its own session on the server.
      token: await mintAccessToken(keys, issuer, pro, DEV_EHR_CLIENT_ID, ttlSeconds),
    });
  }
  return out;
}

/** The simulator's patients that have a summary (fixtures/patients/*\/patient.json); the others are skipped. */
export function loadPatients(dir: string = projectPath('fixtures', 'patients')): { patients: LoadPatient[]; skipped: string[] } {
  const patients: LoadPatient[] = [];
  const skipped: string[] = [];
  for (const slug of readdirSync(dir).sort()) {
    const file = path.join(dir, slug, 'patient.json');
    if (!existsSync(file)) continue;
    const p = JSON.parse(readFileSync(file, 'utf8')) as {
      country: string; identifiers: Array<{ root: string; extension: string }>; documents?: { L3?: string | null; L1?: string | null };
    };
    if (!p.documents?.L3) {
      skipped.push(slug);
      continue;
    }
    patients.push({ slug, country: p.country, identifiers: p.identifiers, hasL1: Boolean(p.documents.L1) });
  }
  return { patients, skipped };
}

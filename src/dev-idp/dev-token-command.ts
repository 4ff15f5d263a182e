import type { Config } from '../config/config.js';
import { mintAccessToken } from './access-token.js';
import { DEV_EHR_CLIENT_ID, issuerFor } from './constants.js';
import { loadOrCreateDevIdpKeys } from './keys.js';
import { illustration } from './login-page.js';
import { TestProfessionalDirectory, loadTestProfessionals } from './practitioners.js';

export const DEV_TOKEN_USAGE = `Usage:
  npm run dev-token -- <national id>      print an access token of the embedded PSC stand-in for that test professional
  npm run dev-token -- --list [--json]    list the test professionals, their national ids and the eligibility rule each illustrates`;

export interface ListedProfessional {
  nationalId: string;
  name: string;
  eligible: boolean;
  /** Stable code of the refusing rule, or null when eligible. */
  rule: string | null;
}

export interface CommandOutput {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * `npm run dev-token`: mints, with the stand-in's signing key kept under
 * dataDir, the access token the running stand-in would issue to its EHR
 * client (same issuer, audience, claims), so it works whether or not the
 * server runs. Refused when a real Pro Santé Connect is configured.
 * Returns the process exit code.
 */
export async function devTokenCommand(argv: readonly string[], config: Config, io: CommandOutput): Promise<number> {
  if (config.get('auth.issuer') !== undefined) {
    io.err('dev-token works with the embedded Pro Santé Connect stand-in only; PSC_ISSUER points at a real PSC.');
    return 2;
  }
  const professionals = loadTestProfessionals(config.get('auth.devIdp.practitionersDir') as string | undefined);
  const args = [...argv];
  if (args.includes('--list')) {
    const listed: ListedProfessional[] = professionals.map((p) => ({
      nationalId: p.userInfo.SubjectNameID,
      name: `${p.userInfo.given_name ?? ''} ${p.userInfo.family_name ?? ''}`.trim(),
      ...illustration(p),
    }));
    if (args.includes('--json')) io.out(`${JSON.stringify(listed, null, 2)}\n`);
    else {
      const width = Math.max(...listed.map((l) => l.name.length));
      for (const l of listed) io.out(`${l.nationalId}  ${l.name.padEnd(width)}  ${l.eligible ? 'eligible' : `refused: ${l.rule}`}\n`);
    }
    return 0;
  }
  const ids = args.filter((a) => !a.startsWith('-'));
  if (ids.length !== 1 || args.length !== 1) {
    io.err(`${DEV_TOKEN_USAGE}\n`);
    return 2;
  }
  const pro = new TestProfessionalDirectory(professionals).findByNationalId(ids[0]);
  if (!pro) {
    io.err(`No test professional has the national id "${ids[0]}"; see: npm run dev-token -- --list\n`);
    return 1;
  }
  const port = Number(config.get('auth.devIdp.port'));
  if (port === 0) {
    io.err('DEV_IDP_PORT is 0 (any free port): the issuer of the tokens cannot be known; set a fixed port.\n');
    return 2;
  }
  const host = String(config.get('auth.devIdp.host'));
  const issuer = issuerFor(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  const keys = await loadOrCreateDevIdpKeys(config.dataDir);
  io.out(`${await mintAccessToken(keys, issuer, pro, DEV_EHR_CLIENT_ID, Number(config.get('auth.devIdp.accessTokenTtlSeconds')))}\n`);
  return 0;
}

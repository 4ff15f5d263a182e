import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePscUserInfo, type PscUserInfo } from '../auth/psc-userinfo.js';
import { projectPath } from '../util/project.js';

/** A test professional of the stand-in: a PSC UserInfo document from fixtures/practitioners. */
export interface TestProfessional {
  /** File name without .json, e.g. cyril-toubib-gp. */
  slug: string;
  userInfo: PscUserInfo;
}

export function defaultPractitionersDir(): string {
  return projectPath('fixtures', 'practitioners');
}

/** Loads every *.json of the folder, sorted by file name; a malformed file stops the start with its name. */
export function loadTestProfessionals(dir: string = defaultPractitionersDir()): TestProfessional[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const seen = new Set<string>();
  return files.map((f) => {
    let userInfo: PscUserInfo;
    try {
      userInfo = parsePscUserInfo(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    } catch (e) {
      throw new Error(`Test professional ${f}: ${(e as Error).message}`);
    }
    if (seen.has(userInfo.SubjectNameID)) throw new Error(`Test professional ${f}: national id ${userInfo.SubjectNameID} is used twice`);
    seen.add(userInfo.SubjectNameID);
    return { slug: f.replace(/\.json$/, ''), userInfo };
  });
}

/** Lookup by PSC `sub` (the stand-in's account id) or by national id. */
export class TestProfessionalDirectory {
  private readonly bySub = new Map<string, TestProfessional>();
  private readonly byNationalId = new Map<string, TestProfessional>();

  constructor(readonly all: readonly TestProfessional[]) {
    for (const p of all) {
      this.bySub.set(p.userInfo.sub, p);
      this.byNationalId.set(p.userInfo.SubjectNameID, p);
    }
  }

  findBySub(sub: string): TestProfessional | undefined {
    return this.bySub.get(sub);
  }

  findByNationalId(id: string): TestProfessional | undefined {
    return this.byNationalId.get(id);
  }
}

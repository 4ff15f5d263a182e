import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectPath } from '../../src/util/project.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const valueSets = path.join(fixtures, 'value-sets');
const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'terminology-load.ts'), ...args], { encoding: 'utf8', cwd: projectPath() });

/** The coverage table's row of a value set: codes, official, project only, none. */
const coverageRow = (stdout: string, name: string): string[] => {
  const cells = stdout.split('\n').find((l) => l.trim().startsWith(name))!.trim().split(/\s{2,}/);
  return cells.slice(cells.findIndex((c) => c.endsWith('%')) - 4).slice(0, 4);
};

describe('npm run terminology:load', () => {
  it('prints each file loaded (format, source, version, designations) and the coverage of the value sets', () => {
    const out = run(path.join(fixtures, 'snomed-rf2'), '--value-sets', valueSets);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/: 3 official designations from 1 file\(s\)/);
    expect(out.stdout).toContain('snomed-rf2  ' + path.join(fixtures, 'snomed-rf2', 'sct2_Description_Snapshot-fr_FR9999999_20990131.txt'));
    expect(out.stdout).toContain('source: SNOMED CT (fr, FR9999999) 20990131');
    expect(out.stdout).toContain('skipped 1: fully specified name (never the display)');
    expect(coverageRow(out.stdout, 'SyntheticProblems')).toEqual(['3', '2', '0', '1']);
    expect(coverageRow(out.stdout, 'total (distinct codes)')).toEqual(['5', '2', '2', '1']);
  });

  it('without a path, gives the coverage of the project catalogue alone', () => {
    const out = run('--value-sets', valueSets);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^No terminology path given: the project's catalogue alone \(\d+ designations\)/);
    expect(coverageRow(out.stdout, 'SyntheticProblems')).toEqual(['3', '0', '2', '1']);
  });

  it('uses the eHDSI value sets beside the checkout by default', () => {
    if (!existsSync(projectPath('..', 'shared', 'ehdsi-samples', 'mvc'))) return;
    const out = run();
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/eHDSIBloodGroup\s+8\.1\.0\s+12\s/);
  });

  it('with --documents, gives the share of the coded terms of each document by where their French text comes from', () => {
    const documents = projectPath('test', 'mapping', 'cda');
    const row = (stdout: string): number[] => {
      const line = stdout.split('\n').find((l) => l.includes('full-summary.xml'))!;
      return line.trim().split(/\s{2,}/).slice(1, 6).map(Number);
    };
    const project = run('--documents', documents, '--value-sets', valueSets);
    expect(project.status).toBe(0);
    expect(project.stdout).toContain('Coded terms of the documents, by where their fr-FR text comes from');
    const [terms, official, reviewed, proposed, untranslated] = row(project.stdout);
    expect(terms).toBeGreaterThan(30);
    expect(official).toBe(0);
    expect(reviewed + proposed + untranslated).toBe(terms);
    // The synthetic SNOMED CT release names asthma: that term becomes official.
    const withRf2 = row(run(path.join(fixtures, 'snomed-rf2'), '--documents', documents, '--value-sets', valueSets).stdout);
    expect(withRf2[0]).toBe(terms);
    expect(withRf2[1]).toBeGreaterThan(0);
    expect(withRf2[2] + withRf2[3]).toBe(reviewed + proposed - withRf2[1] + (untranslated - withRf2[4]));
    expect(run('--documents', '/no/such/folder').status).toBe(2);
  });

  it('exits with 2 and a message, never a stack trace, on a bad path, an unreadable file or a wrong call', () => {
    const missing = run('/no/such/terminology');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('terminology:load: /no/such/terminology: not found\n');

    const dir = mkdtempSync(path.join(tmpdir(), 'term-cli-'));
    try {
      writeFileSync(path.join(dir, 'broken.json'), '{');
      const broken = run(dir, '--value-sets', valueSets);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toMatch(/^terminology:load: .*broken\.json: not valid JSON/);
      expect(broken.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    expect(run(fixtures, '--value-sets', '/no/such/folder')).toMatchObject({ status: 2, stderr: 'terminology:load: value sets folder not found: /no/such/folder\n' });
    expect(run('--bogus')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^unexpected argument: --bogus\nusage: npm run terminology:load/) });
  });
});

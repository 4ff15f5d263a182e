import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REVIEW_HEADER, reviewRows, toCsv } from '../../src/cli/terminology-review.js';
import { projectPath } from '../../src/util/project.js';

/** RFC 4180 reader: quoted fields may hold delimiters, doubled quotes and line breaks. */
function parseCsv(text: string, delimiter = ','): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || record.length) throw new Error('the last record does not end with CRLF');
  return records;
}

const ROLE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

describe('terminology review CSV', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'review-'));
  // A stand-in for the eHDSI value sets (FSH): an alias, a value set, and a code system whose codes are not value set members.
  writeFileSync(path.join(dir, 'relationships.fsh'), [
    'Alias: $role = http://terminology.hl7.org/CodeSystem/v3-RoleCode',
    'ValueSet: eHDSITestRelationship',
    '* ^url = "http://example.org/ValueSet/test"',
    '* $role#DAU "natural daughter"',
    '* http://standardterms.edqm.eu#20002500 "Buccal use"',
    '* http://terminology.hl7.org/5.3.0/CodeSystem-ISO3166Part1.html#HR "CROATIA"',
    '',
    'CodeSystem: SomeCodes',
    '* #SONC "son"',
  ].join('\n'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes fields as RFC 4180 says and reads back the same', () => {
    const records = [['a', 'b,c', 'say "hi"'], ['line\nbreak', '', 'é']];
    const csv = toCsv(records);
    expect(csv).toBe('a,"b,c","say ""hi"""\r\n"line\nbreak",,é\r\n');
    expect(parseCsv(csv)).toEqual(records);
    expect(toCsv([['a;b', 'c,d']], ';')).toBe('"a;b";c,d\r\n');
  });

  it('lists every designation with its status and where its code is used', () => {
    const rows = reviewRows({ valueSetsDir: dir });
    expect(rows.length).toBeGreaterThan(700);
    const row = (system: string, code: string) => rows.find((r) => r.system === system && r.code === code)!;
    expect(row(ROLE, 'DAU')).toMatchObject({ display: 'natural daughter', french: 'Fille biologique', status: 'reviewed', file: 'mappings/terminology/fr-FR/hl7.json' });
    expect(row(ROLE, 'DAU').usedIn).toEqual(['eHDSI eHDSITestRelationship']);
    expect(row(ROLE, 'SONC').usedIn).toEqual([]);
    expect(row('http://standardterms.edqm.eu', '20002500').usedIn).toEqual(['eHDSI eHDSITestRelationship']);
    // a coding written in a map, a section code (LOINC), a value map's target code
    expect(row(ROLE, 'GUARD').usedIn).toEqual(['map mappings/document/header.yaml']);
    expect(row('http://loinc.org', '48765-2').usedIn).toContain('map mappings/sections/allergies.yaml');
    expect(row('http://terminology.hl7.org/CodeSystem/condition-clinical', 'remission').usedIn).toContain('map mappings/datatypes/value-maps.yaml');
    // fixture CDA documents, by code and code system OID (2.16.840.1.113883.6.1 is LOINC)
    expect(row('http://loinc.org', '8480-6').usedIn.some((u) => /^fixtures: \d+ documents \(fixtures\//.test(u))).toBe(true);
    expect(row('http://snomed.info/sct', '195967001').usedIn).toContain('fixture fixtures/patients/hr-marija-bozicevic/L3.xml');
  });

  it('npm run terminology:review writes UTF-8 with a BOM, RFC 4180, to a file or to standard output', () => {
    const out = path.join(dir, 'review.csv');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'terminology-review.ts'), ...args], { cwd: projectPath(), encoding: 'utf8', timeout: 60_000 });
    const written = run('--out', out, '--value-sets', dir);
    expect(written.stderr).toBe('');
    expect(written.status).toBe(0);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.toString('utf8').slice(1));
    expect(records[0]).toEqual(REVIEW_HEADER);
    expect(records.every((r) => r.length === REVIEW_HEADER.length)).toBe(true);
    expect(records).toContainEqual([ROLE, 'DAU', 'natural daughter', 'Fille biologique', 'reviewed', 'eHDSI eHDSITestRelationship', 'mappings/terminology/fr-FR/hl7.json']);
    // a field with line breaks (one place of use a line) comes back whole
    expect(records.find((r) => r[1] === '195967001')![5].split('\n')).toEqual(['fixture fixtures/patients/hr-marija-bozicevic/L3.xml', 'fixture fixtures/patients/ie-siobhan-o-briain/L3.xml']);

    const semicolons = run('--value-sets', dir, '--delimiter', ';');
    expect(semicolons.status).toBe(0);
    expect(semicolons.stdout.startsWith('\uFEFFsystem;code;English display;French proposal;status;where used;catalogue file\r\n')).toBe(true);
    expect(parseCsv(semicolons.stdout.slice(1), ';')).toEqual(records);

    const help = run('--help');
    expect(help.stdout).toMatch(/RFC 4180/);
    expect(help.stdout).toMatch(/byte order mark/);
    expect(run('--value-sets', path.join(dir, 'missing')).status).toBe(2);
    expect(run('--bogus').status).toBe(2);
  }, 60_000);

  it('an --out it cannot write gives a message and exit code 2, never a stack trace', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'terminology-review.ts'), ...args], { cwd: projectPath(), encoding: 'utf8', timeout: 60_000 });
    const missingFolder = run('--out', '/nonexistent/dir/x.csv');
    expect(missingFolder.status).toBe(2);
    expect(missingFolder.stderr).toBe('terminology:review: cannot write /nonexistent/dir/x.csv: the folder /nonexistent/dir does not exist\n');
    const aFolder = run('--out', dir, '--value-sets', dir);
    expect(aFolder.status).toBe(2);
    expect(aFolder.stderr).toBe(`terminology:review: cannot write ${dir}: it is a folder\n`);
  }, 60_000);
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectPath } from '../../src/util/project.js';
import { pdfText } from '../helpers/pdf-text.js';

const convert = (...args: string[]) => spawnSync(process.execPath, [projectPath('node_modules/tsx/dist/cli.mjs'), projectPath('src/cli/convert.ts'), ...args], {
  cwd: projectPath(), encoding: 'utf8', timeout: 60_000,
});

test('npm run convert -- FILE --pdf --translated-cda writes the French PDF and the translated CDA offline', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'convert-'));
  try {
    const pdf = path.join(dir, 'marija.pdf');
    const cda = path.join(dir, 'marija.xml');
    const run = convert('fixtures/patients/hr-marija-bozicevic/L3.xml', '--pdf', pdf, '--translated-cda', cda);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/marija\.xml: the CDA with French designations \(\d+ coded elements given their French designation, \d+ left as sent\)/);
    const text = await pdfText(readFileSync(pdf));
    expect(text).toContain('BOŽIČEVIĆ');
    expect(text).toContain('Allergies et intolérances');
    const xml = readFileSync(cda, 'utf8');
    expect(xml).toMatch(/<code code="10160-0" codeSystem="2\.16\.840\.1\.113883\.6\.1" codeSystemName="LOINC" displayName="Traitements"><translation code="10160-0"[^>]*displayName="History of Medication use Narrative"\/><\/code>/);
    expect(xml).toContain('<languageCode code="hr-HR"/>');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

test('npm run convert says in one line when it cannot write an output', () => {
  const run = convert('fixtures/patients/hr-marija-bozicevic/L3.xml', '--pdf', '/no-such-folder/x.pdf');
  expect(run.status).toBe(2);
  expect(run.stderr.trim()).toMatch(/^cannot write \/no-such-folder\/x\.pdf: ENOENT[^\n]*$/);
}, 90_000);

test('npm run convert refuses an option without its file', () => {
  const run = convert('fixtures/patients/hr-marija-bozicevic/L3.xml', '--pdf');
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^usage: npm run convert -- <file\.xml>.*--pdf <out\.pdf>/);
}, 90_000);

/**
 * The start-up check of the files of mappings/ the conversion reads
 * (preloadConversion, run by the server's start-up before anything listens):
 * a broken file is refused there, naming the file and the line, instead of
 * failing the first $summary.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkConversionFiles, preloadConversion } from '../../src/mapping/index.js';
import { projectMaps } from '../../src/mapping/map-loader.js';
import { projectPath } from '../../src/util/project.js';

const copies: string[] = [];
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A private copy of mappings/ in which one file (path in mappings/) is changed, or added. */
function mappingsWith(file: string, change: (text: string) => string, original = true): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'conversion-files-'));
  copies.push(dir);
  const root = path.join(dir, 'mappings');
  cpSync(projectPath('mappings'), root, { recursive: true });
  const target = path.join(root, file);
  const text = original ? readFileSync(target, 'utf8') : '';
  const changed = change(text);
  expect(changed).not.toBe(text);
  writeFileSync(target, changed);
  return root;
}

/** The line (from 1) of the first line of a file of the copy that holds `text`. */
function lineWith(root: string, file: string, text: string): number {
  return readFileSync(path.join(root, file), 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

/** The check refuses a copy of mappings/: a MapFileError whose message starts with the file and the line, then says what is wrong. */
function expectRefused(root: string, file: string, line: number, says: RegExp): void {
  const name = path.join('mappings', file);
  const message = new RegExp(`^${name.replace(/[.\\/]/g, '\\$&')}:${line}: .*${says.source}`);
  expect(() => checkConversionFiles(root)).toThrow(expect.objectContaining({ name: 'MapFileError', file: name, line, message: expect.stringMatching(message) }));
}

describe('the start-up check of the conversion files', () => {
  it("passes the project's files and keeps the maps it loaded for the conversions", () => {
    const { maps, designations } = preloadConversion();
    expect(maps).toBe(projectMaps());
    expect(designations).toBeGreaterThan(400);
    // (a copy in which no file the conversion reads is changed)
    expect(checkConversionFiles(mappingsWith('README.md', (t) => `${t}\n`)).sections.map((s) => s.code)).toEqual(maps.sections.map((s) => s.code));
  });

  it('refuses a map file with a YAML syntax error, naming the file and the line', () => {
    const root = mappingsWith('entries/procedure.yaml', (t) => t.replace('id: procedure\n', 'id: procedure\nid: procedure-again\n'));
    expectRefused(root, 'entries/procedure.yaml', lineWith(root, 'entries/procedure.yaml', 'procedure-again'), /Map keys must be unique/);
  });

  it('refuses a map file against its schema, naming the file and the line of the offending node', () => {
    const root = mappingsWith('sections/procedures.yaml', (t) => t.replace('order: 5\n', 'order: fifth\n'));
    expectRefused(root, 'sections/procedures.yaml', lineWith(root, 'sections/procedures.yaml', 'order: fifth'), /\/order must be/);
    const extra = mappingsWith('sections/procedures.yaml', (t) => `${t}colour: blue\n`);
    expectRefused(extra, 'sections/procedures.yaml', lineWith(extra, 'sections/procedures.yaml', 'colour: blue'), /additional properties \("colour"\)/);
  });

  it('refuses the words of the narratives without a label, naming the file and the line of its block', () => {
    const root = mappingsWith('narrative/labels.yaml', (t) => t.replace('    agent: Agent\n', ''));
    expectRefused(root, 'narrative/labels.yaml', lineWith(root, 'narrative/labels.yaml', '    reactions:'), /fr: missing columns\.agent$/);
  });

  it('refuses a row of the code system table without its URI, naming the file and the line of the row', () => {
    const root = mappingsWith('terminology/code-systems.yaml', (t) => t.replace('uri: http://snomed.info/sct, ', ''));
    expectRefused(root, 'terminology/code-systems.yaml', lineWith(root, 'terminology/code-systems.yaml', 'name: SNOMED CT'), /a row without uri/);
  });

  it("refuses a file of the project's catalogue that is not well-formed or not a FHIR terminology resource", () => {
    const broken = mappingsWith('terminology/fr-FR/atc.json', (t) => t.replace('"code": "A02BC01",', '"code": "A02BC01",,'));
    expectRefused(broken, 'terminology/fr-FR/atc.json', lineWith(broken, 'terminology/fr-FR/atc.json', '"A02BC01",,'), /JSON/);
    const other = mappingsWith('terminology/fr-FR/patient.yaml', () => 'resourceType: Patient\nid: someone\n', false);
    expectRefused(other, 'terminology/fr-FR/patient.yaml', 1, /not a FHIR CodeSystem, ValueSet or Bundle/);
  });
});

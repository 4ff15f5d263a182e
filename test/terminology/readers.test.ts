import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { LineSplitter, MAX_LINE_CHARS, Utf8Chunks } from '../../src/terminology/import/chunks.js';
import { CsvError, CsvReader, MAX_RECORD_CHARS } from '../../src/terminology/import/csv.js';
import { tarEntries } from '../../src/terminology/import/tar.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Records of a CSV text fed in pieces of `size` characters. */
function csv(text: string, size = text.length, comments?: string[]): Array<[number, string[]]> {
  const out: Array<[number, string[]]> = [];
  const r = new CsvReader((fields, line) => out.push([line, fields]), comments ? { onComment: (t) => comments.push(t) } : {});
  for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
  r.end();
  return out;
}

describe('CSV reader (RFC 4180)', () => {
  const text = 'a,b,c\r\n"x, y","he said ""hi""","two\r\nlines"\r\n,"",\n\nlast,"q"\n';
  const expected: Array<[number, string[]]> = [
    [1, ['a', 'b', 'c']],
    [2, ['x, y', 'he said "hi"', 'two\r\nlines']],
    [4, ['', '', '']],
    [6, ['last', 'q']],
  ];

  it('reads quoted fields with commas, doubled quotes and line breaks; skips blank lines; numbers records by their first line', () => {
    expect(csv(text)).toEqual(expected);
  });

  it('gives the same records however the text is cut into pieces', () => {
    for (let size = 1; size <= 7; size++) expect(csv(text, size)).toEqual(expected);
  });

  it('keeps the last record without a final line break, and stray quotes as text', () => {
    expect(csv('a,b"c,"d"e')).toEqual([[1, ['a', 'b"c', 'de']]]);
  });

  it('hands comment lines over when asked, only at the start of a record', () => {
    const comments: string[] = [];
    expect(csv('# name: X\nsystem,code\n"#not",#a comment?\n# version: 2\n', 3, comments)).toEqual([
      [2, ['system', 'code']],
      [3, ['#not', '#a comment?']],
    ]);
    expect(comments).toEqual(['name: X', 'version: 2']);
  });

  it('refuses an unclosed quote, at the end or when the record grows beyond the limit', () => {
    expect(() => csv('a,"never closed\nb,c\n')).toThrow(/opened line 1 is never closed/);
    const r = new CsvReader(() => undefined);
    r.push('a,"');
    expect(() => r.push('x'.repeat(MAX_RECORD_CHARS))).toThrow(CsvError);
  });
});

describe('line splitter and UTF-8 chunks', () => {
  it('splits LF and CRLF lines across pieces, keeping characters cut between chunks whole', () => {
    const bytes = Buffer.from('\uFEFFé1\r\nà2\nlast', 'utf8');
    const lines: string[] = [];
    const split = new LineSplitter((l, n) => lines.push(`${n}:${l}`));
    const text = new Utf8Chunks();
    for (let i = 0; i < bytes.length; i++) split.push(text.decode(bytes.subarray(i, i + 1)));
    split.push(text.end());
    split.end();
    expect(lines).toEqual(['1:é1', '2:à2', '3:last']);
  });

  it('refuses a line longer than the limit instead of buffering a whole file', () => {
    const split = new LineSplitter(() => undefined);
    expect(() => split.push('x'.repeat(MAX_LINE_CHARS + 1))).toThrow(/line 1 is longer/);
  });
});

describe('tar reader', () => {
  it('lists the files of an npm-packed archive with their contents', () => {
    const archive = readFileSync(path.join(here, 'fixtures', 'fhir-package-tgz', 'synthetic.fhir.terminology.fr-0.1.0.tgz'));
    const entries = [...tarEntries(gunzipSync(archive))];
    expect(entries.map((e) => e.name).sort()).toEqual(['package/.index.json', 'package/CodeSystem-edqm-fr.json', 'package/StructureDefinition-synthetic.json', 'package/example/CodeSystem-example.json', 'package/package.json']);
    expect(JSON.parse(entries.find((e) => e.name === 'package/package.json')!.data.toString()).name).toBe('synthetic.fhir.terminology.fr');
  });

  it('reads names longer than 100 characters, as pax and as GNU tar write them', () => {
    for (const archive of ['pax-long-name.tgz', 'gnu-long-name.tgz']) {
      const names = [...tarEntries(gunzipSync(readFileSync(path.join(here, 'tar-fixtures', archive))))].map((e) => e.name);
      expect(names).toContain(`package/CodeSystem-${'a'.repeat(120)}.json`);
      expect(names).toContain('package/package.json');
    }
  });

  it('refuses what is not a tar archive, or a truncated one', () => {
    expect(() => [...tarEntries(Buffer.alloc(1024, 0x41))]).toThrow(/not a tar archive/);
    const archive = gunzipSync(readFileSync(path.join(here, 'tar-fixtures', 'gnu-long-name.tgz')));
    expect(() => [...tarEntries(archive.subarray(0, 700))]).toThrow(/truncated/);
  });
});

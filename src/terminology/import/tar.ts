/**
 * The regular files of a tar archive held in memory (ustar, with the pax and
 * GNU long-name extensions npm and FHIR package tools write). Just what a
 * FHIR package needs: names and contents, no links, modes or dates.
 */

export interface TarEntry {
  name: string;
  data: Buffer;
}

const BLOCK = 512;

function text(buf: Buffer, from: number, length: number): string {
  const field = buf.subarray(from, from + length);
  const nul = field.indexOf(0);
  return field.toString('utf8', 0, nul < 0 ? field.length : nul);
}

function octal(buf: Buffer, from: number, length: number, what: string): number {
  const s = text(buf, from, length).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`not a tar archive (${what} "${s}")`);
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === octal(header, 148, 8, 'checksum');
}

/** The "path" record of a pax extended header, if any. */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = parseInt(data.toString('utf8', at, space), 10);
    if (space < 0 || !(length > 0)) break;
    const record = data.toString('utf8', space + 1, at + length - 1);
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

export function* tarEntries(archive: Buffer): Generator<TarEntry> {
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= archive.length; ) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return;
    if (!checksumOk(header)) throw new Error(`not a tar archive (bad header checksum at byte ${at})`);
    const size = octal(header, 124, 12, 'size');
    const start = at + BLOCK;
    if (start + size > archive.length) throw new Error('truncated tar archive');
    const data = archive.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(header[156] || 0x30);
    if (type === 'x') longName = paxPath(data) ?? longName;
    else if (type === 'L') longName = text(data, 0, data.length);
    else {
      // POSIX ustar ("ustar\0") splits long names into prefix/name; old GNU headers keep other data there.
      const prefix = header[262] === 0 && text(header, 257, 6) === 'ustar' ? text(header, 345, 155) : '';
      const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      longName = undefined;
      if (type === '0' || type === '7') yield { name, data };
    }
  }
  // Every tar archive ends with zero blocks: running out of bytes before them means a cut archive.
  throw new Error('truncated tar archive');
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { projectPath } from '../util/project.js';
import { MapFileError } from './errors.js';

/**
 * A data file of mappings/ (YAML, or JSON for .json files) read with the line
 * of each of its nodes: what is wrong in it is told with the file and the line.
 */
export interface DataFile {
  /** The file as errors name it (mappings/…). */
  name: string;
  data: unknown;
  /**
   * The line of the node at a JSON pointer ("" for the whole document), or of
   * its nearest ancestor the file has; undefined for JSON files.
   */
  lineOf(pointer: string): number | undefined;
}

/** A file of the project by its path in the project (mappings/…), any other by its full path. */
export function dataFileName(file: string): string {
  const rel = path.relative(projectPath(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * Reads and parses a data file.
 * @param name the file as errors name it
 * @throws MapFileError naming the file and the line of a syntax error
 */
export function readDataFile(file: string, name = dataFileName(file)): DataFile {
  const text = readFileSync(file, 'utf8');
  if (/\.json$/i.test(file)) {
    try {
      return { name, data: JSON.parse(text) as unknown, lineOf: () => undefined };
    } catch (err) {
      const message = (err as Error).message;
      const at = /at position (\d+)/.exec(message);
      throw new MapFileError(name, at ? lineAt(text, Number(at[1])) : undefined, message);
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new MapFileError(name, lineCounter.linePos(e.pos[0]).line, e.message.split('\n')[0]);
  }
  return {
    name,
    data: doc.toJS() as unknown,
    lineOf: (pointer) => {
      const node = nodeAt(doc.contents as YamlNode | null, pointer);
      return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    },
  };
}

/** The line (from 1) of a character of a text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The node at a JSON pointer, or the nearest ancestor the document has. */
function nodeAt(root: YamlNode | null, pointer: string): YamlNode | undefined {
  let node: YamlNode | null | undefined = root;
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let last: YamlNode | undefined = root ?? undefined;
  for (const part of parts) {
    if (isMap(node)) {
      const pair: { key: unknown; value: unknown } | undefined = node.items.find((it) => String((it.key as { value?: unknown })?.value ?? it.key) === part);
      node = (pair?.value as YamlNode | undefined) ?? (pair?.key as YamlNode | undefined);
    } else if (isSeq(node)) {
      node = node.items[Number(part)] as YamlNode | undefined;
    } else break;
    if (node) last = node;
  }
  return last;
}

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Files are read chunk by chunk and fed to a sink, so a release of hundreds
 * of MB never sits in memory as one string. The chunk passed to `write` may
 * be reused afterwards: a sink that keeps bytes copies them.
 */
export interface ChunkSink {
  write(chunk: Buffer): void;
  end(): void;
}

/** One file to read into one sink. */
export interface ChunkRead {
  file: string;
  sink: ChunkSink;
}

const CHUNK_BYTES = 1 << 20;

/** Synchronous reading (the conversion's catalogue is built synchronously at start-up). */
export function readChunksSync(file: string, sink: ChunkSink): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let n = readSync(fd, buf, 0, CHUNK_BYTES, null); n > 0; n = readSync(fd, buf, 0, CHUNK_BYTES, null)) sink.write(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  sink.end();
}

/** The same, from a read stream (the command line, a server that can wait). */
export async function readChunks(file: string, sink: ChunkSink): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) sink.write(chunk as Buffer);
  sink.end();
}

/** UTF-8 text of a stream of chunks (characters split across chunks kept whole, leading BOM dropped). */
export class Utf8Chunks {
  private readonly decoder = new StringDecoder('utf8');
  private started = false;

  decode(chunk: Buffer): string {
    return this.dropBom(this.decoder.write(chunk));
  }

  end(): string {
    return this.dropBom(this.decoder.end());
  }

  private dropBom(text: string): string {
    if (this.started || !text) return text;
    this.started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}

/**
 * A copy of a string cut from a chunk that shares none of the chunk's memory:
 * V8 keeps a substring as a view of its parent, so a kept term would keep
 * its whole 1 MiB chunk alive, and the catalogue would weigh the file.
 */
export function own(s: string): string {
  return (' ' + s).slice(1);
}

/** A line longer than this is not a terminology row: the file is refused rather than buffered whole. */
export const MAX_LINE_CHARS = 1 << 20;

/** Splits text fed in pieces into lines (LF or CRLF), numbered from 1; linear in the input. */
export class LineSplitter {
  private rest = '';
  private lineNo = 0;

  constructor(private readonly onLine: (line: string, lineNo: number) => void) {}

  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = this.rest + text.slice(start, nl);
      this.rest = '';
      start = nl + 1;
      this.emit(line);
    }
    this.rest += text.slice(start);
    if (this.rest.length > MAX_LINE_CHARS) throw new Error(`line ${this.lineNo + 1} is longer than ${MAX_LINE_CHARS} characters`);
  }

  end(): void {
    if (this.rest) this.emit(this.rest);
    this.rest = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, ++this.lineNo);
  }
}

/** A sink that decodes UTF-8 and hands over lines. */
export function lineSink(onLine: (line: string, lineNo: number) => void): ChunkSink {
  const text = new Utf8Chunks();
  const lines = new LineSplitter(onLine);
  return {
    write: (chunk) => lines.push(text.decode(chunk)),
    end: () => {
      lines.push(text.end());
      lines.end();
    },
  };
}

/** A sink that keeps a whole file's bytes (JSON, package archives), refusing more than `maxBytes`. */
export function bytesSink(maxBytes: number, onEnd: (bytes: Buffer) => void): ChunkSink {
  const parts: Buffer[] = [];
  let size = 0;
  return {
    write: (chunk) => {
      size += chunk.length;
      if (size > maxBytes) throw new Error(`larger than ${maxBytes} bytes (limit of a file read whole)`);
      parts.push(Buffer.from(chunk));
    },
    end: () => onEnd(Buffer.concat(parts, size)),
  };
}

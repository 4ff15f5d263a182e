import { type ChunkSink, Utf8Chunks } from './chunks.js';

/**
 * RFC 4180 CSV reader fed text in pieces: fields separated by commas, records
 * by CRLF or LF; a quoted field may hold commas, line breaks and doubled
 * quotes. Written here rather than taken from csv-parse because the catalogue
 * is loaded synchronously at start-up: csv-parse's synchronous API wants the
 * whole file as one string, its streaming API is asynchronous.
 *
 * Lenient where RFC 4180 is silent, as spreadsheet exports need: a quote
 * inside an unquoted field, or text right after a closing quote, is kept as
 * text. Blank lines are skipped. With `comments`, a record starting with `#`
 * is a comment line (up to the line break) handed to `onComment`.
 */

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** After a quote inside a quoted field: a second quote is a literal one, anything else closes the field. */
  QuoteInQuoted,
  Comment,
}

/** A record longer than this is refused (an unclosed quote would otherwise swallow the rest of the file). */
export const MAX_RECORD_CHARS = 1 << 20;

export class CsvError extends Error {}

export interface CsvOptions {
  onComment?: (text: string, line: number) => void;
}

export class CsvReader {
  private state = State.FieldStart;
  private field = '';
  private record: string[] = [];
  private recordChars = 0;
  /** A CR ended the last record: a LF right after it belongs to it. */
  private afterCr = false;
  private line = 1;
  private recordLine = 1;

  constructor(
    private readonly onRecord: (fields: string[], line: number) => void,
    private readonly options: CsvOptions = {},
  ) {}

  push(text: string): void {
    let run = 0; // start of the field text not yet appended to `field`
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.afterCr) {
        this.afterCr = false;
        if (c === '\n') {
          run = i + 1;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (c === '"') {
            this.state = State.Quoted;
            run = i + 1;
          } else if (c === ',') {
            this.endField();
          } else if (c === '\r' || c === '\n') {
            if (this.record.length) {
              this.endField();
              this.endRecord();
            }
            this.lineBreak(c);
          } else if (c === '#' && this.options.onComment && !this.record.length) {
            this.state = State.Comment;
            run = i + 1;
          } else {
            this.state = State.Unquoted;
            run = i;
          }
          break;
        case State.Unquoted:
        case State.QuoteInQuoted:
          if (c === ',' || c === '\r' || c === '\n') {
            if (this.state === State.Unquoted) this.field += text.slice(run, i);
            this.endField();
            if (c !== ',') {
              this.endRecord();
              this.lineBreak(c);
            }
            this.state = State.FieldStart;
          } else if (this.state === State.QuoteInQuoted) {
            // A doubled quote is one quote; other text after a closing quote is kept.
            this.state = c === '"' ? State.Quoted : State.Unquoted;
            run = c === '"' ? i + 1 : i;
            if (c === '"') this.field += '"';
          }
          break;
        case State.Quoted:
          if (c === '"') {
            this.field += text.slice(run, i);
            this.state = State.QuoteInQuoted;
          } else if (c === '\n') {
            this.line++;
          }
          break;
        case State.Comment:
          if (c === '\r' || c === '\n') {
            this.field += text.slice(run, i);
            this.options.onComment!(this.field.trim(), this.recordLine);
            this.field = '';
            this.lineBreak(c);
            this.state = State.FieldStart;
          }
          break;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted || this.state === State.Comment) this.field += text.slice(run);
    if (this.recordChars + this.field.length > MAX_RECORD_CHARS) throw new CsvError(`record starting line ${this.recordLine} is longer than ${MAX_RECORD_CHARS} characters (unclosed quote?)`);
  }

  end(): void {
    if (this.state === State.Quoted) throw new CsvError(`quoted field opened line ${this.recordLine} is never closed`);
    if (this.state === State.Comment) this.options.onComment!(this.field.trim(), this.recordLine);
    else if (this.state !== State.FieldStart || this.record.length) {
      this.endField();
      this.endRecord();
    }
    this.state = State.FieldStart;
    this.field = '';
  }

  private endField(): void {
    this.recordChars += this.field.length + 1;
    this.record.push(this.field);
    this.field = '';
  }

  private endRecord(): void {
    const record = this.record;
    this.record = [];
    this.recordChars = 0;
    this.onRecord(record, this.recordLine);
  }

  private lineBreak(c: string): void {
    this.afterCr = c === '\r';
    this.line++;
    this.recordLine = this.line;
  }
}

/** A sink that decodes UTF-8 and hands over CSV records. */
export function csvSink(onRecord: (fields: string[], line: number) => void, options?: CsvOptions): ChunkSink {
  const text = new Utf8Chunks();
  const csv = new CsvReader(onRecord, options);
  return {
    write: (chunk) => csv.push(text.decode(chunk)),
    end: () => {
      csv.push(text.end());
      csv.end();
    },
  };
}

/**
 * Byte-level reading and CSV checking for the batch lander.
 *
 * Profiling `qdbt ingest batch` showed the lander bound by one CPU: decoding every byte to a
 * string, splitting each row into strings and running a regular expression per typed field. This
 * module does the same checks on the file's bytes: lines are found in blocks of a read chunk, fields are
 * located by offsets (quoted fields, doubled quotes and quotes left open at the end of a line
 * handled as `splitCsv` does), typed fields are checked on their bytes, and only what must be
 * shown (a reject's text, a quoted or non-ASCII field) is decoded. The string functions of
 * records.ts stay the reference: every fast path here falls back to them when in doubt.
 */
import { isUtf8 } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import type { LandingDeclaration } from '../landing/types.js';
import { NotTextError } from './io.js';
import { checkFor, type HeaderMapping } from './records.js';

/**
 * Bytes read at a time. 2 MiB rather than 1: each chunk costs a hand-off to the thread pool, a socket
 * write and a few calls, about 0.08 ms of CPU per MB less on bench:ingest (4 MiB saved nothing more).
 */
export const READ_CHUNK = 2 << 20;

/** Incremental UTF-8 validation of a byte stream, with the errors of a fatal TextDecoder. */
export class Utf8Validator {
  private tail: Buffer | null = null;

  /** Throws NotTextError on bytes that are not UTF-8 text or NUL bytes. */
  update(chunk: Buffer): void {
    let from = 0;
    if (this.tail) {
      const need = sequenceLength(this.tail[0]!) - this.tail.length;
      const take = Math.min(need, chunk.length);
      const joined = Buffer.concat([this.tail, chunk.subarray(0, take)]);
      if (take < need) {
        if (!validPrefix(joined, 0)) throw new NotTextError('not UTF-8 text');
        this.tail = joined;
        return;
      }
      if (!isUtf8(joined)) throw new NotTextError('not UTF-8 text');
      this.tail = null;
      from = take;
    }
    const t = incompleteTail(chunk, from);
    if (!isUtf8(chunk.subarray(from, chunk.length - t))) throw new NotTextError('not UTF-8 text');
    if (t) this.tail = Buffer.from(chunk.subarray(chunk.length - t));
    if (chunk.indexOf(0) !== -1) throw new NotTextError('binary content (NUL bytes)');
  }

  finish(): void {
    if (this.tail) throw new NotTextError('not UTF-8 text (cut in a character)');
  }
}

function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/** Bytes at the end of `chunk` (after `from`) that start a UTF-8 sequence the next chunk may complete. */
function incompleteTail(chunk: Buffer, from: number): number {
  const n = chunk.length;
  for (let k = 1; k <= 3 && n - k >= from; k++) {
    const c = chunk[n - k]!;
    if (c < 0x80) return 0;
    if (c >= 0xc0) return sequenceLength(c) > k && validPrefix(chunk, n - k) ? k : 0;
  }
  return 0;
}

/** Whether bytes[at..] can begin a valid UTF-8 sequence (lead and the continuation bytes so far). */
function validPrefix(bytes: Buffer, at: number): boolean {
  const lead = bytes[at]!;
  if (lead < 0xc2 || lead > 0xf4) return false;
  for (let i = at + 1; i < bytes.length; i++) {
    const c = bytes[i]!;
    let lo = 0x80;
    let hi = 0xbf;
    if (i === at + 1) {
      if (lead === 0xe0) lo = 0xa0;
      else if (lead === 0xed) hi = 0x9f;
      else if (lead === 0xf0) lo = 0x90;
      else if (lead === 0xf4) hi = 0x8f;
    }
    if (c < lo || c > hi) return false;
  }
  return true;
}

/**
 * A byte stream cut into blocks of whole lines, without copying the chunks it was read in: a block
 * is a part of one chunk, except a line that spans chunks, which is joined into a block of its own.
 * Leading byte order marks are left out (the decoder drops one and the line reader another).
 */
export class LineBlocks {
  /** The start of a line not finished yet (or of the file, not yet long enough to hold two marks). */
  private parts: Buffer[] = [];
  private held = 0;
  private bomChecked = false;

  /** Blocks of whole lines completed by `chunk` (each ends with `\n`). */
  push(chunk: Buffer): Buffer[] {
    if (!this.bomChecked) {
      this.parts.push(chunk);
      this.held += chunk.length;
      if (this.held < 6) return [];
      // Not copied unless the marks are cut between chunks (a copy of a whole chunk costs page faults).
      const start = this.parts.length === 1 ? chunk : Buffer.concat(this.parts);
      this.parts = [];
      this.held = 0;
      this.bomChecked = true;
      chunk = start.subarray(byteOrderMarks(start, start.length));
    }
    const first = chunk.indexOf(10);
    // What is held is copied: the reader may reuse the chunk's buffer once its blocks were checked.
    if (first === -1) {
      if (chunk.length) this.parts.push(Buffer.from(chunk));
      return [];
    }
    const blocks: Buffer[] = [];
    let from = 0;
    if (this.parts.length) {
      this.parts.push(chunk.subarray(0, first + 1));
      blocks.push(Buffer.concat(this.parts));
      this.parts = [];
      from = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) blocks.push(chunk.subarray(from, last + 1));
    if (last + 1 < chunk.length) this.parts.push(Buffer.from(chunk.subarray(last + 1)));
    return blocks;
  }

  /** The last line, when the stream does not end with a line break. */
  end(): Buffer | null {
    let rest = this.parts.length ? Buffer.concat(this.parts) : null;
    this.parts = [];
    if (rest && !this.bomChecked) rest = rest.subarray(byteOrderMarks(rest, rest.length));
    this.bomChecked = true;
    return rest?.length ? rest : null;
  }
}

/**
 * Chunk buffers given back by the readers of every file, read into again by the next: a fresh
 * buffer costs page faults (the kernel zeroes each page) and garbage collection. Shared
 * rather than per file: a file's first chunks (and those still in the socket when it ends) were
 * fresh each time, about 0.25 ms of CPU per MB in all on bench:ingest. At most this many are kept.
 */
const SPARE_CHUNKS = 16;
const spareChunks: Buffer[] = [];

/**
 * A local file read in chunks (of READ_CHUNK bytes, or `chunkSize`): each read() starts the
 * following one. A chunk may be kept, and sent while the next one is read; once nothing refers to
 * it any longer it may be given back with recycle(), to be read into again by this reader or another.
 */
export class ChunkReader {
  private handle: Promise<FileHandle>;
  private ahead: Promise<Buffer | null> | null = null;
  private done = false;

  constructor(
    path: string,
    private readonly chunkSize = READ_CHUNK,
  ) {
    this.handle = open(path, 'r');
    this.handle.catch(() => undefined);
  }

  /** The next chunk, or null at the end of the file. */
  async read(): Promise<Buffer | null> {
    const chunk = await (this.ahead ?? this.readOne());
    this.ahead = chunk ? this.readOne() : null;
    this.ahead?.catch(() => undefined);
    return chunk;
  }

  private async readOne(): Promise<Buffer | null> {
    if (this.done) return null;
    const handle = await this.handle;
    const pooled = this.chunkSize === READ_CHUNK;
    const buf = (pooled && spareChunks.pop()) || Buffer.allocUnsafe(this.chunkSize);
    const { bytesRead } = await handle.read(buf, 0, this.chunkSize, null);
    if (bytesRead === 0) {
      this.done = true;
      this.recycle(buf);
      return null;
    }
    return bytesRead < this.chunkSize ? buf.subarray(0, bytesRead) : buf;
  }

  /**
   * Gives back a chunk read by this reader (or a part of it at its start) that nothing refers to any
   * longer: its buffer is read into again, here or by another file's reader.
   */
  recycle(chunk: Buffer): void {
    if (this.chunkSize !== READ_CHUNK || chunk.byteOffset !== 0) return;
    if (chunk.buffer.byteLength !== READ_CHUNK || spareChunks.length >= SPARE_CHUNKS) return;
    spareChunks.push(chunk.length === READ_CHUNK ? chunk : Buffer.from(chunk.buffer, 0, READ_CHUNK));
  }

  async close(): Promise<void> {
    this.done = true;
    await this.ahead?.catch(() => undefined);
    await (await this.handle.catch(() => null))?.close();
  }
}

/**
 * A local file as blocks of whole lines (each ends with `\n`, except the last block of a file that
 * does not end with one), checked as UTF-8 text without NUL bytes (NotTextError otherwise), leading
 * byte order marks left out. Blocks are fresh buffers: they may be kept.
 */
export async function* readLineBlocks(path: string, chunkSize = READ_CHUNK): AsyncGenerator<Buffer> {
  const reader = new ChunkReader(path, chunkSize);
  try {
    const utf8 = new Utf8Validator();
    const lines = new LineBlocks();
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
      utf8.update(chunk);
      yield* lines.push(chunk);
    }
    utf8.finish();
    const last = lines.end();
    if (last) yield last;
  } finally {
    await reader.close();
  }
}

/** Bytes of leading byte order marks: the decoder drops one and the line reader another. */
function byteOrderMarks(buf: Buffer, end: number): number {
  let start = 0;
  for (let k = 0; k < 2 && start + 3 <= end; k++) {
    if (buf[start] !== 0xef || buf[start + 1] !== 0xbb || buf[start + 2] !== 0xbf) break;
    start += 3;
  }
  return start;
}

/** The end of the line starting at `pos` (before `\n` and a `\r` ahead of it) and where the next begins. */
export function lineAt(buf: Buffer, pos: number): { end: number; next: number } {
  const nl = buf.indexOf(10, pos);
  const stop = nl === -1 ? buf.length : nl;
  return { end: stop > pos && buf[stop - 1] === 13 ? stop - 1 : stop, next: nl === -1 ? buf.length : nl + 1 };
}

/** Whether a line is empty after String.prototype.trim(). */
export function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    if (c < 0x80) return false;
    return !buf.toString('utf8', start, end).trim();
  }
  return true;
}

// ---- Typed checks on bytes: the regular expressions of records.ts on ASCII text.

/** The kinds of typed columns; wasm/goodRows.as uses the same numbers. */
export const Kind = { None: 0, Integer: 1, Number: 2, Boolean: 3, Date: 4, Timestamp: 5 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export function kindOf(type: string): Kind {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(t)) return Kind.Integer;
  if (/^(float|double|decimal)/.test(t)) return Kind.Number;
  if (t === 'boolean') return Kind.Boolean;
  if (t === 'date') return Kind.Date;
  if (t === 'timestamp') return Kind.Timestamp;
  return Kind.None;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

function digitsEnd(b: Buffer, i: number, end: number): number {
  while (i < end && isDigit(b[i]!)) i++;
  return i;
}

/** /^[+-]?\d+$/ */
export function isInteger(b: Buffer, s: number, e: number): boolean {
  if (s < e && (b[s] === 43 || b[s] === 45)) s++;
  if (s === e) return false;
  for (let i = s; i < e; i++) if (!isDigit(b[i]!)) return false;
  return true;
}

/** /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/ */
export function isNumber(b: Buffer, s: number, e: number): boolean {
  let i = s;
  if (i < e && (b[i] === 43 || b[i] === 45)) i++;
  const intEnd = digitsEnd(b, i, e);
  let j = intEnd;
  if (intEnd > i) {
    if (j < e && b[j] === 46) j = digitsEnd(b, j + 1, e);
  } else {
    if (j >= e || b[j] !== 46) return false;
    const fracEnd = digitsEnd(b, j + 1, e);
    if (fracEnd === j + 1) return false;
    j = fracEnd;
  }
  if (j < e && (b[j] === 101 || b[j] === 69)) {
    j++;
    if (j < e && (b[j] === 43 || b[j] === 45)) j++;
    const expEnd = digitsEnd(b, j, e);
    if (expEnd === j) return false;
    j = expEnd;
  }
  return j === e;
}

const BOOLEANS = new Set(['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0']);

/** /^(true|false|t|f|yes|no|y|n|1|0)$/i */
export function isBoolean(b: Buffer, s: number, e: number): boolean {
  const n = e - s;
  if (n < 1 || n > 5) return false;
  let word = '';
  for (let i = s; i < e; i++) {
    let c = b[i]!;
    if (c >= 65 && c <= 90) c += 32;
    else if (c >= 0x80) return false;
    word += String.fromCharCode(c);
  }
  return BOOLEANS.has(word);
}

const isDateSep = (c: number | undefined): boolean => c === 45 || c === 47 || c === 46;

/**
 * /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/
 * Each digit run is followed by something that is not a digit, so runs are taken whole.
 */
export function isDate(b: Buffer, s: number, e: number): boolean {
  let i = digitsEnd(b, s, e);
  const first = i - s;
  if (first !== 4 && first !== 1 && first !== 2) return false;
  if (i >= e || !isDateSep(b[i])) return false;
  let j = digitsEnd(b, i + 1, e);
  let run = j - i - 1;
  if (run < 1 || run > 2 || j >= e || !isDateSep(b[j])) return false;
  i = digitsEnd(b, j + 1, e);
  run = i - j - 1;
  if (first === 4 ? run < 1 || run > 2 : run !== 4) return false;
  if (i === e) return true;
  // Time
  if (b[i] !== 32 && b[i] !== 84) return false;
  j = digitsEnd(b, i + 1, e);
  run = j - i - 1;
  if (run < 1 || run > 2 || j >= e || b[j] !== 58) return false;
  i = digitsEnd(b, j + 1, e);
  if (i - j - 1 !== 2) return false;
  if (i < e && b[i] === 58) {
    j = digitsEnd(b, i + 1, e);
    if (j - i - 1 !== 2) return false;
    i = j;
    if (i < e && b[i] === 46) {
      j = digitsEnd(b, i + 1, e);
      if (j === i + 1) return false;
      i = j;
    }
  }
  while (i < e && isSpace(b[i]!)) i++;
  if (i === e) return true;
  if (b[i] === 90) return i + 1 === e;
  if (b[i] !== 43 && b[i] !== 45) return false;
  j = digitsEnd(b, i + 1, e);
  run = j - i - 1;
  if (run === 4) return j === e;
  if (run !== 2 || j >= e || b[j] !== 58) return false;
  i = digitsEnd(b, j + 1, e);
  return i - j - 1 === 2 && i === e;
}

/** /^\d{9,13}$/ */
function isEpoch(b: Buffer, s: number, e: number): boolean {
  const n = e - s;
  return n >= 9 && n <= 13 && digitsEnd(b, s, e) === e;
}

/** True only when the value certainly passes checkFor(type) (false may be a yes: ask the regular expression). */
function checkBytes(kind: Kind, b: Buffer, s: number, e: number): boolean {
  switch (kind) {
    case Kind.Integer:
      return isInteger(b, s, e);
    case Kind.Number:
      return isNumber(b, s, e);
    case Kind.Boolean:
      return isBoolean(b, s, e);
    case Kind.Date:
      return isDate(b, s, e);
    case Kind.Timestamp:
      return isDate(b, s, e) || isEpoch(b, s, e);
    default:
      return true;
  }
}

/** Bytes written to an output by CsvScanner.encode(). */
export interface ByteSink {
  buf: Buffer;
  len: number;
  /** Makes room for `n` more bytes at `len` (may replace `buf`). */
  room(n: number): void;
}

interface ColumnCheck {
  name: string;
  type: string;
  position: number;
  required: boolean;
  kind: Kind;
  check: ((value: string) => boolean) | null;
}

/**
 * Finds the fields of one CSV record in a block of lines and checks them, as splitCsv and
 * csvRowChecker do on strings. Made once per file; the offsets of the last line scanned are kept
 * in the instance (no allocation per row).
 */
export class CsvScanner {
  /** Field count of the last line scanned. */
  count = 0;
  /** End of the last line scanned (before `\r\n`/`\n`), and where the next line begins. */
  lineEnd = 0;
  next = 0;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** For a quoted field, the offset after its closing quote; -1 for a plain one. */
  private readonly closes: Int32Array;
  private readonly capacity: number;
  private readonly width: number;
  private readonly checks: ColumnCheck[];
  private readonly d: number;
  private readonly q: number;
  private readonly quote: string;

  /** null when the delimiter or the quote is not a single ASCII byte: the string path handles those. */
  static for(declaration: LandingDeclaration, mapping: HeaderMapping): CsvScanner | null {
    const { delimiter, quote } = declaration.csv!;
    const d = delimiter.charCodeAt(0);
    const q = quote.charCodeAt(0);
    if (delimiter.length !== 1 || quote.length !== 1 || d >= 0x80 || q >= 0x80 || d === q) return null;
    if (d === 10 || d === 13 || q === 10 || q === 13) return null;
    return new CsvScanner(declaration, mapping, d, q);
  }

  private constructor(declaration: LandingDeclaration, mapping: HeaderMapping, d: number, q: number) {
    this.d = d;
    this.q = q;
    this.quote = String.fromCharCode(q);
    this.width = mapping.header.length;
    this.capacity = this.width;
    this.starts = new Int32Array(this.capacity);
    this.ends = new Int32Array(this.capacity);
    this.closes = new Int32Array(this.capacity);
    this.checks = [];
    declaration.columns.forEach((c, i) => {
      const position = mapping.sourceIndex[i]!;
      const kind = kindOf(c.type);
      if (position < 0 || (!c.required && kind === Kind.None)) return; // nothing to check
      this.checks.push({
        name: c.name,
        type: c.type,
        position,
        required: c.required,
        kind,
        check: checkFor(c.type),
      });
    });
  }

  /**
   * Scans the line starting at `pos` in `buf` (which holds whole lines). Sets count, lineEnd and
   * next; false when a quoted field is still open at the end of the line (the record continues).
   */
  scan(buf: Buffer, pos: number): boolean {
    const len = buf.length;
    const d = this.d;
    const q = this.q;
    const cap = this.capacity;
    const starts = this.starts;
    const ends = this.ends;
    const closes = this.closes;
    let n = 0;
    let i = pos;
    let j: number;
    for (;;) {
      let close = -1;
      j = i;
      if (i < len && buf[i] === q) {
        j = i + 1;
        for (;;) {
          while (j < len && buf[j] !== q && buf[j] !== 10) j++;
          if (j >= len || buf[j] === 10) {
            this.endLine(buf, pos, j, n);
            return false;
          }
          if (j + 1 < len && buf[j + 1] === q) {
            j += 2;
            continue;
          }
          j++;
          break;
        }
        close = j;
      }
      let c = 0;
      while (j < len && (c = buf[j]!) !== d && c !== 10) j++;
      if (n < cap) {
        starts[n] = i;
        ends[n] = j;
        closes[n] = close;
      }
      n++;
      if (j >= len || c === 10) break;
      i = j + 1;
    }
    this.endLine(buf, pos, j, n);
    return true;
  }

  private endLine(buf: Buffer, pos: number, stop: number, n: number): void {
    const end = stop > pos && buf[stop - 1] === 13 ? stop - 1 : stop;
    this.lineEnd = end;
    this.next = stop < buf.length ? stop + 1 : stop;
    this.count = n;
    // A `\r` before the `\n` belongs to the line break, not to the last field.
    if (n > 0 && n <= this.capacity && this.ends[n - 1]! > end) this.ends[n - 1] = end;
  }

  /** The value of field `i` of the last line scanned, as splitCsv gives it. */
  value(buf: Buffer, i: number): string {
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    const close = this.closes[i]!;
    if (close < 0) return buf.toString('utf8', s, e);
    const quoted = buf.toString('utf8', s + 1, close - 1);
    const value = quoted.includes(this.quote)
      ? quoted.split(this.quote + this.quote).join(this.quote)
      : quoted;
    return close < e ? value + buf.toString('utf8', close, e) : value;
  }

  /** null when the last line scanned is a good row, else the reason (csvRowChecker's words). */
  check(buf: Buffer): string | null {
    if (this.count !== this.width) return `${this.count} fields, the header has ${this.width}`;
    for (const c of this.checks) {
      const p = c.position;
      let s = this.starts[p]!;
      let e = this.ends[p]!;
      if (this.closes[p]! < 0) {
        while (s < e && isSpace(buf[s]!)) s++;
        while (e > s && isSpace(buf[e - 1]!)) e--;
        if (s === e) {
          if (c.required) return `required column ${c.name} is empty`;
          continue;
        }
        // Non-ASCII at either end may be whitespace to trim(); a byte check that fails may still
        // pass the regular expression (\s matches more than ASCII): the string check decides those.
        if (buf[s]! < 0x80 && buf[e - 1]! < 0x80 && checkBytes(c.kind, buf, s, e)) continue;
      }
      const value = this.value(buf, p).trim();
      if (!value) {
        if (c.required) return `required column ${c.name} is empty`;
        continue;
      }
      if (c.check && !c.check(value)) return `${c.name} '${value.slice(0, 40)}' is not a ${c.type}`;
    }
    return null;
  }

  /**
   * Writes the last line scanned in declared order (`sourceIndex`), as
   * `joinCsv(sourceIndex.map(s => s < 0 ? '' : fields[s]))` + `\n` would, mostly by copying bytes.
   */
  encode(buf: Buffer, sourceIndex: number[], out: ByteSink): number {
    const d = this.d;
    const q = this.q;
    // Worst case: every byte a quote (doubled), plus quotes and delimiters around each field.
    out.room(2 * (this.lineEnd - (this.starts[0] ?? 0)) + 3 * sourceIndex.length + 2);
    const o = out.buf;
    let p = out.len;
    const start = p;
    for (let k = 0; k < sourceIndex.length; k++) {
      if (k > 0) o[p++] = d;
      const f = sourceIndex[k]!;
      if (f < 0) continue;
      const s = this.starts[f]!;
      const e = this.ends[f]!;
      const close = this.closes[f]!;
      if (close < 0) {
        let special = false;
        for (let i = s; i < e; i++) {
          const c = buf[i]!;
          if (c === q || c === 13) {
            special = true;
            break;
          }
        }
        if (!special) p = copy(buf, s, e, o, p);
        else {
          o[p++] = q;
          for (let i = s; i < e; i++) {
            const c = buf[i]!;
            o[p++] = c;
            if (c === q) o[p++] = q;
          }
          o[p++] = q;
        }
      } else if (close === e) {
        // Between the quotes: the value with its quotes doubled. Quoted again only when needed.
        let needs = false;
        for (let i = s + 1; i < close - 1; i++) {
          const c = buf[i]!;
          if (c === d || c === q || c === 13 || c === 10) {
            needs = true;
            break;
          }
        }
        p = needs ? copy(buf, s, close, o, p) : copy(buf, s + 1, close - 1, o, p);
      } else {
        const value = this.value(buf, f);
        const text =
          value.includes(String.fromCharCode(d)) ||
          value.includes(this.quote) ||
          value.includes('\n') ||
          value.includes('\r')
            ? `${this.quote}${value.split(this.quote).join(this.quote + this.quote)}${this.quote}`
            : value;
        p += o.write(text, p);
      }
    }
    o[p++] = 10;
    out.len = p;
    return p - start;
  }
}

function copy(src: Buffer, s: number, e: number, dst: Buffer, p: number): number {
  if (e - s > 32) return p + src.copy(dst, p, s, e);
  for (let i = s; i < e; i++) dst[p++] = src[i]!;
  return p;
}

/**
 * The fast path of the CSV checks: runs of rows that certainly pass, found without a JavaScript loop
 * over every byte.
 *
 * Profiles of `qdbt ingest batch` showed the byte scanner (scan.ts) at about 3.4 ms of CPU per MB,
 * most of it the loop over bytes. Two engines find the same rows: SIMD and a walk over field bits in
 * WebAssembly (wasm/goodRows.as, compiled by `npm run build:wasm`), used when its module was built,
 * and one V8 regular expression per window of lines, the reference and the fallback. On the rows of
 * bench:ingest the WebAssembly engine costs about 0.87 ms of CPU per MB, its block copy included, the
 * regular expression about 1.2 (a JavaScript byte loop about 2.1). Both are conservative:
 * they pass only rows that CsvScanner.check() accepts (ASCII-only values in typed columns, no
 * surrounding spaces, quoted values only in string columns, non-empty rows), and whatever they do
 * not pass goes to the scanner, which gives the verdict. Unit tests hold "passed implies accepted"
 * on random rows, and the two engines to the same rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LandingDeclaration } from '../landing/types.js';
import type { HeaderMapping } from './records.js';
import { kindOf } from './scan.js';

/**
 * Latin-1 text of at most this many bytes per match: the expression's backtrack stack stays small,
 * and strings under V8's 128 KiB large-object size are made about six times faster.
 */
const WINDOW = 64 * 1024;

const DIGITS = '[0-9]';
const INTEGER = `[+-]?${DIGITS}+`;
const NUMBER = `[+-]?(?:${DIGITS}+\\.?${DIGITS}*|\\.${DIGITS}+)(?:[eE][+-]?${DIGITS}+)?`;
const BOOLEAN = '(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|[TtFfYyNn01])';
// records.ts' DATE with `\s*` narrowed to spaces: a match must imply a pass, never the reverse.
const DATE =
  '(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4})' +
  '(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]+)?)? *(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?';
const EPOCH = '[0-9]{9,13}';

/** Bytes that typed values may hold: a delimiter or quote among them would blur field boundaries. */
const UNSAFE = /[0-9A-Za-z+\-./: \r\n]/;

function typePattern(type: string): string | null {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(t)) return INTEGER;
  if (/^(float|double|decimal)/.test(t)) return NUMBER;
  if (t === 'boolean') return BOOLEAN;
  if (t === 'date') return DATE;
  if (t === 'timestamp') return `(?:${DATE}|${EPOCH})`;
  return null;
}

const hex = (code: number): string => `\\x${code.toString(16).padStart(2, '0')}`;

/** A character class of the printable ASCII bytes (`!`..`~`) but the given ones. */
function printableExcept(excluded: number[]): string {
  let out = '';
  let start = -1;
  for (let c = 0x21; c <= 0x7f; c++) {
    const inside = c <= 0x7e && !excluded.includes(c);
    if (inside && start < 0) start = c;
    if (!inside && start >= 0) {
      out += start === c - 1 ? hex(start) : `${hex(start)}-${hex(c - 1)}`;
      start = -1;
    }
  }
  return `[${out}]`;
}

/** The regular expression source of one good row, its line break included; null when no fast path applies. */
export function goodRowPattern(declaration: LandingDeclaration, mapping: HeaderMapping): string | null {
  const { delimiter, quote } = declaration.csv!;
  if (delimiter.length !== 1 || quote.length !== 1 || delimiter === quote) return null;
  const d = delimiter.charCodeAt(0);
  const q = quote.charCodeAt(0);
  if (d >= 0x80 || q >= 0x80 || UNSAFE.test(delimiter) || UNSAFE.test(quote)) return null;
  const D = hex(d);
  const Q = hex(q);
  const plain = `[^${D}${Q}\\n]`;
  const printable = printableExcept([d, q]);
  const quotedBody = `(?:[^${Q}\\n]|${Q}${Q})`;
  const columnAt = new Map<number, number>();
  mapping.sourceIndex.forEach((position, column) => {
    if (position >= 0) columnAt.set(position, column);
  });
  const fields: string[] = [];
  for (let position = 0; position < mapping.header.length; position++) {
    const column = columnAt.get(position);
    const spec = column === undefined ? null : declaration.columns[column]!;
    const typed = spec ? typePattern(spec.type) : null;
    const required = spec?.required ?? false;
    if (typed) fields.push(required ? `(?:${typed})` : `(?:${typed})?`);
    else if (required)
      // Something other than white space, so that trim() leaves it non-empty; `""` is a quote.
      fields.push(
        `(?:${plain}*?${printable}${plain}*|${Q}[^${Q}\\n]*?(?:${printable}|${Q}${Q})${quotedBody}*${Q})`,
      );
    else fields.push(`(?:${plain}*|${Q}${quotedBody}*${Q})`);
  }
  // A row of one empty field would be an empty line, which is rejected.
  return `(?!\\r?\\n)${fields.join(D)}\\r?\\n`;
}

export type GoodRowsEngine = 'auto' | 'wasm' | 'regex';

/**
 * Finds runs of certainly good rows in blocks of whole lines. One instance per file. `engine`:
 * WebAssembly when its module was built (`auto`, or `wasm`: null without the module), else or
 * with `regex` the regular expression.
 */
export abstract class GoodRows {
  /** Where the last call stopped, and the lines it passed. */
  next = 0;
  lines = 0;

  static for(
    declaration: LandingDeclaration,
    mapping: HeaderMapping,
    engine: GoodRowsEngine = 'auto',
  ): GoodRows | null {
    const pattern = goodRowPattern(declaration, mapping);
    if (!pattern) return null;
    if (engine !== 'regex') {
      const module = goodRowsModule();
      if (module) return new WasmGoodRows(module, declaration, mapping);
      if (engine === 'wasm') return null;
    }
    return new RegexGoodRows(pattern);
  }

  /**
   * Passes the good rows of `block` (whole lines) from `pos`: sets `next` (the start of the first
   * line that is not certainly good, or the block's end) and `lines`. Returns the lines passed.
   * A block is known by its identity: its bytes may not change between calls.
   */
  abstract skip(block: Buffer, pos: number): number;

  /** Done with this file: what can serve the next one is kept for it. */
  release(): void {}
}

/**
 * The regular expression over the Latin-1 text of the current window (UTF-8 bytes above 0x7f never
 * match the ASCII classes of typed values, and never equal a delimiter, quote or line break).
 */
class RegexGoodRows extends GoodRows {
  private readonly run: RegExp;
  private block: Buffer | null = null;
  private text = '';
  private textStart = 0;
  private textEnd = 0;

  constructor(pattern: string) {
    super();
    this.run = new RegExp(`(?:${pattern})*`, 'y');
  }

  skip(block: Buffer, pos: number): number {
    let lines = 0;
    let at = pos;
    const end = block.length;
    while (at < end) {
      if (block !== this.block || at < this.textStart || at >= this.textEnd) this.window(block, at);
      const re = this.run;
      re.lastIndex = at - this.textStart;
      let stop: number;
      try {
        re.test(this.text);
        stop = this.textStart + re.lastIndex;
      } catch {
        stop = at; // the backtrack stack ran out (very short lines): the scanner takes the rows
      }
      lines += countLines(block, at, stop);
      at = stop;
      if (stop < this.textEnd) break;
    }
    this.next = at;
    this.lines = lines;
    return lines;
  }

  private window(block: Buffer, at: number): void {
    let end = block.length;
    if (end - at > WINDOW) {
      const nl = block.lastIndexOf(10, at + WINDOW - 1);
      end = nl >= at ? nl + 1 : block.indexOf(10, at + WINDOW) + 1 || block.length;
    }
    this.block = block;
    this.text = block.toString('latin1', at, end);
    this.textStart = at;
    this.textEnd = end;
  }
}

/** What is used of WebAssembly (the libraries of this project's tsconfig do not declare it). */
interface WasmModule {
  readonly wasmModule: true;
}
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

interface GoodRowsExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  configure(columns: number, width: number, delimiter: number, quote: number): void;
  skip(base: number, start: number, end: number): number;
  passed(): number;
}

let compiled: WasmModule | null = null;

/**
 * The compiled module of wasm/goodRows.as: next to this file in dist/, or in dist/ when this file
 * runs from src/ (tests); null when it was not built (looked for again on the next call).
 */
export function goodRowsModule(): WasmModule | null {
  if (compiled) return compiled;
  for (const relative of ['./wasm/goodRows.wasm', '../../../dist/ingest/batch/wasm/goodRows.wasm']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (!existsSync(path)) continue;
    compiled = new Wasm.Module(readFileSync(path));
    break;
  }
  return compiled;
}

const PAGE = 65536;
/** NUL bytes after a block: the module reads up to 64 bytes past it, and stops at them. */
const SENTINEL = 128;

/**
 * Instances given back by files done with them: a new one per file would grow fresh memory for
 * each (page faults, the kernel zeroing every page). At most this many are kept.
 */
const SPARE_INSTANCES = 8;
const spareInstances: GoodRowsExports[] = [];

/**
 * The byte loop in WebAssembly: the declaration's columns are given once as a table, each block is
 * copied once into the module's memory, and one call passes a run of rows.
 */
class WasmGoodRows extends GoodRows {
  private wasm: GoodRowsExports | null;
  private bytes: Uint8Array;
  private readonly data: number;
  private block: Buffer | null = null;

  constructor(module: WasmModule, declaration: LandingDeclaration, mapping: HeaderMapping) {
    super();
    this.wasm = spareInstances.pop() ?? (new Wasm.Instance(module, {}).exports as unknown as GoodRowsExports);
    const { delimiter, quote } = declaration.csv!;
    const d = delimiter.charCodeAt(0);
    const q = quote.charCodeAt(0);
    const width = mapping.header.length;
    const columns = align(this.wasm.heapBase());
    this.data = align(columns + width);
    this.bytes = this.room(this.data);
    this.bytes.fill(0, columns, columns + width);
    mapping.sourceIndex.forEach((position, column) => {
      if (position < 0) return;
      const spec = declaration.columns[column]!;
      this.bytes[columns + position] = kindOf(spec.type) | (spec.required ? 8 : 0);
    });
    this.wasm.configure(columns, width, d, q);
  }

  skip(block: Buffer, pos: number): number {
    const wasm = this.wasm!;
    if (block !== this.block) {
      const bytes = this.room(this.data + block.length + SENTINEL);
      bytes.set(block, this.data);
      bytes.fill(0, this.data + block.length, this.data + block.length + SENTINEL);
      this.block = block;
    }
    this.next = wasm.skip(this.data, this.data + pos, this.data + block.length) - this.data;
    this.lines = wasm.passed();
    return this.lines;
  }

  override release(): void {
    if (this.wasm && spareInstances.length < SPARE_INSTANCES) spareInstances.push(this.wasm);
    this.wasm = null;
    this.block = null;
  }

  /** The module's memory as bytes, grown to at least `size` bytes. */
  private room(size: number): Uint8Array {
    const memory = this.wasm!.memory;
    if (memory.buffer.byteLength < size) memory.grow(Math.ceil((size - memory.buffer.byteLength) / PAGE));
    if (!this.bytes || this.bytes.buffer !== memory.buffer) this.bytes = new Uint8Array(memory.buffer);
    return this.bytes;
  }
}

const align = (n: number): number => (n + 63) & ~63;

/** Line breaks in `buf` between `start` and `end`. */
export function countLines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  let i = start;
  for (;;) {
    i = buf.indexOf(10, i);
    if (i < 0 || i >= end) return n;
    n++;
    i++;
  }
}

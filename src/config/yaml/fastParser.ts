/**
 * A fast parser for the block-style YAML that project files are written in: block mappings and
 * sequences, plain and quoted scalars, `|` / `>` block scalars, and flow collections
 * (`[a, b]`, `{values: [...]}`, JSON). It is about ten times faster than the `yaml` package's
 * composer, which matters when a project holds thousands of property entries.
 *
 * Anything outside that subset (anchors, aliases, tags, multi-line plain scalars, directives,
 * several documents, and every syntax error) makes it give up and return `undefined`; the caller
 * then parses with the `yaml` package, which handles all of YAML and reports errors precisely.
 */
import {
  keyName,
  type YKey,
  type YMap,
  type YNode,
  type YScalar,
  type YScalarValue,
  type YSeq,
} from './ast.js';

/** Thrown internally to abandon the fast path. */
class GiveUp {}
const GIVE_UP = new GiveUp();

/** The document's root node (null for an empty document), or undefined to use the full parser. */
export function fastParse(text: string): YNode | null | undefined {
  try {
    return new FastParser(text).document();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;

class FastParser {
  private readonly lines: string[];
  private readonly n: number;
  /** Current line. */
  private i = 0;
  /**
   * When >= 0, the current line's content is taken to start at this column (the rest of a
   * `- key: value` line is a mapping indented at the column of `key`).
   */
  private vcol = -1;
  /** Indent of the current line, or -1 when the current line is the end of input. */
  private ind = -1;

  constructor(text: string) {
    if (text.indexOf('\r') >= 0) text = text.replace(/\r\n?/g, '\n');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.lines = text.split('\n');
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    this.n = this.lines.length;
  }

  document(): YNode | null {
    // Leading comments, a directive (give up), an optional `---`.
    this.skipBlank();
    if (this.ind < 0) return null;
    const first = this.lines[this.i]!;
    if (first.charCodeAt(0) === 37 /* % */) throw GIVE_UP;
    if (isDocMarker(first, '---')) {
      if (!restIsBlank(first, 3)) throw GIVE_UP;
      this.i++;
      this.skipBlank();
      if (this.ind < 0) return null;
    }
    const root = this.blockNode(-1);
    this.skipBlank();
    if (this.ind >= 0) {
      // Only a final `...` may follow the root node.
      const line = this.lines[this.i]!;
      if (!isDocMarker(line, '...') || !restIsBlank(line, 3)) throw GIVE_UP;
      this.i++;
      this.skipBlank();
      if (this.ind >= 0) throw GIVE_UP;
    }
    return root;
  }

  /** Skips blank and comment lines; sets `ind` to the current line's indent (-1 at the end). */
  private skipBlank(): void {
    if (this.vcol >= 0) {
      this.ind = this.vcol;
      this.atMarker = false;
      return;
    }
    const lines = this.lines;
    while (this.i < this.n) {
      const line = lines[this.i]!;
      let c = 0;
      const len = line.length;
      while (c < len && line.charCodeAt(c) === SPACE) c++;
      if (c === len) {
        this.i++;
        continue;
      }
      const ch = line.charCodeAt(c);
      if (ch === HASH) {
        this.i++;
        continue;
      }
      if (ch === TAB) {
        // A tab after the indentation: fine if the line is otherwise blank, else give up.
        let d = c;
        while (d < len && (line.charCodeAt(d) === TAB || line.charCodeAt(d) === SPACE)) d++;
        if (d === len || line.charCodeAt(d) === HASH) {
          this.i++;
          continue;
        }
        throw GIVE_UP;
      }
      if (c === 0 && (isDocMarker(line, '---') || isDocMarker(line, '...'))) {
        // End of the document: the caller decides what may follow.
        this.ind = 0;
        this.atMarker = true;
        return;
      }
      this.atMarker = false;
      this.ind = c;
      return;
    }
    this.atMarker = false;
    this.ind = -1;
  }

  /** True when the current line is a `---` / `...` document marker. */
  private atMarker = false;

  /** Indent of the current content line, or -1 at the end (a document marker counts as the end). */
  private currentIndent(): number {
    this.skipBlank();
    if (this.atMarker && this.vcol < 0) return -1;
    return this.ind;
  }

  private cacheLine = -1;
  private cacheCol = -1;
  private cacheEnd = -1;

  /** keyEnd, remembered for the line being looked at (it is asked twice per entry). */
  private keyEnd(line: string, c: number): number {
    if (this.cacheLine === this.i && this.cacheCol === c) return this.cacheEnd;
    this.cacheLine = this.i;
    this.cacheCol = c;
    this.cacheEnd = keyEnd(line, c);
    return this.cacheEnd;
  }

  /** A node written on the following lines, indented more than `parentIndent`. */
  private blockNode(parentIndent: number): YNode {
    const ind = this.currentIndent();
    if (ind <= parentIndent) throw GIVE_UP;
    const line = this.lines[this.i]!;
    if (isSeqItem(line, ind)) return this.seq(ind);
    if (this.keyEnd(line, ind) >= 0) return this.map(ind);
    this.vcol = -1;
    return this.inlineValue(line, ind, parentIndent);
  }

  private map(ind: number): YMap {
    const lines = this.lines;
    const map: YMap = { kind: 'map', keys: [], values: [], line: this.i + 1, col: ind + 1 };
    for (;;) {
      const line = lines[this.i]!;
      const kEnd = this.keyEnd(line, ind);
      if (kEnd < 0) throw GIVE_UP;
      let name: string;
      const c0 = line.charCodeAt(ind);
      if (c0 === 34 /* " */ || c0 === 39 /* ' */) {
        const q = c0 === 34 ? readDouble(line, ind) : readSingle(line, ind);
        if (q === null) throw GIVE_UP;
        name = q.value;
      } else {
        name = keyName(resolvePlain(line.slice(ind, kEnd).trimEnd()));
      }
      const key: YKey = { name, line: this.i + 1, col: ind + 1 };
      const keys = map.keys;
      if (keys.length > 0 && hasKey(keys, name)) throw GIVE_UP; // the full parser reports it
      let p = kEnd + 1;
      const len = line.length;
      while (p < len && (line.charCodeAt(p) === SPACE || line.charCodeAt(p) === TAB)) p++;
      this.vcol = -1;
      let value: YNode;
      if (p >= len || line.charCodeAt(p) === HASH) {
        this.i++;
        const next = this.currentIndent();
        if (next > ind) value = this.blockNode(ind);
        else if (next === ind && isSeqItem(lines[this.i]!, ind)) value = this.seq(ind);
        else value = nullAt(key);
      } else {
        value = this.inlineValue(line, p, ind);
      }
      keys.push(key);
      map.values.push(value);
      const next = this.currentIndent();
      if (next < ind) return map;
      if (next > ind) throw GIVE_UP;
      if (isSeqItem(lines[this.i]!, ind)) throw GIVE_UP;
    }
  }

  private seq(ind: number): YSeq {
    const lines = this.lines;
    const seq: YSeq = { kind: 'seq', items: [], line: this.i + 1, col: ind + 1 };
    for (;;) {
      const line = lines[this.i]!;
      const len = line.length;
      let p = ind + 1;
      while (p < len && line.charCodeAt(p) === SPACE) p++;
      if (p < len && line.charCodeAt(p) === TAB) throw GIVE_UP;
      this.vcol = -1;
      let item: YNode;
      if (p >= len || line.charCodeAt(p) === HASH) {
        const at = { line: this.i + 1, col: ind + 1 };
        this.i++;
        const next = this.currentIndent();
        item = next > ind ? this.blockNode(ind) : { kind: 'scalar', value: null, line: at.line, col: at.col };
      } else if (isSeqItem(line, p)) {
        this.vcol = p;
        item = this.seq(p);
      } else if (this.keyEnd(line, p) >= 0) {
        this.vcol = p;
        item = this.map(p);
      } else {
        item = this.inlineValue(line, p, ind);
      }
      seq.items.push(item);
      const next = this.currentIndent();
      if (next < ind) return seq;
      if (next > ind) throw GIVE_UP;
      if (!isSeqItem(lines[this.i]!, ind)) return seq;
    }
  }

  /**
   * A value that starts at column `p` of the current line. Consumes its lines; the next line
   * must not be indented more than `ind` (that would be a multi-line plain scalar).
   */
  private inlineValue(line: string, p: number, ind: number): YNode {
    const lineNo = this.i + 1;
    const col = p + 1;
    const ch = line.charCodeAt(p);
    let node: YNode;
    switch (ch) {
      case 34: // "
      case 39: {
        // '
        const q = ch === 34 ? readDouble(line, p) : readSingle(line, p);
        if (q === null || !restIsBlank(line, q.end)) throw GIVE_UP;
        node = { kind: 'scalar', value: q.value, line: lineNo, col };
        this.i++;
        break;
      }
      case 91: // [
      case 123: {
        // {
        const flow = new FlowReader(this.lines, this.i, p, ind);
        node = flow.value();
        if (!restIsBlank(this.lines[flow.li]!, flow.ci)) throw GIVE_UP;
        this.i = flow.li + 1;
        break;
      }
      case 124: // |
      case 62: // >
        return this.blockScalar(line, p, ind);
      case 38: // &
      case 42: // *
      case 33: // !
      case 37: // %
      case 64: // @
      case 96: // `
      case 44: // ,
      case 93: // ]
      case 125: // }
        throw GIVE_UP;
      default: {
        if ((ch === DASH || ch === 63 /* ? */ || ch === COLON) && isSpaceOrEnd(line, p + 1)) throw GIVE_UP;
        let end = line.indexOf('#', p + 1);
        while (end >= 0 && !isBlankChar(line.charCodeAt(end - 1))) end = line.indexOf('#', end + 1);
        if (end < 0) end = line.length;
        for (let c = line.indexOf(':', p + 1); c >= 0 && c < end; c = line.indexOf(':', c + 1)) {
          if (isSpaceOrEnd(line, c + 1)) throw GIVE_UP;
        }
        const raw = line.slice(p, end).trimEnd();
        node = { kind: 'scalar', value: resolvePlain(raw), line: lineNo, col };
        this.i++;
      }
    }
    if (this.currentIndent() > ind) throw GIVE_UP;
    return node;
  }

  private blockScalar(line: string, p: number, ind: number): YScalar {
    const folded = line.charCodeAt(p) === 62;
    const at = { line: this.i + 1, col: p + 1 };
    let q = p + 1;
    let chomp: 'clip' | 'strip' = 'clip';
    const h = line.charCodeAt(q);
    if (h === DASH) {
      chomp = 'strip';
      q++;
    } else if (h === 43 /* + */ || (h >= 49 && h <= 57)) {
      throw GIVE_UP; // keep-chomping and explicit indentation: rare, leave to the full parser
    }
    if (!restIsBlank(line, q)) throw GIVE_UP;
    const lines = this.lines;
    let k = this.i + 1;
    // Find the content indentation from the first non-blank line.
    let blockIndent = -1;
    let leadingBlank = 0;
    for (; k < this.n; k++) {
      const l = lines[k]!;
      let c = 0;
      while (c < l.length && l.charCodeAt(c) === SPACE) c++;
      if (c === l.length) {
        leadingBlank++;
        continue;
      }
      blockIndent = c;
      break;
    }
    if (blockIndent <= ind || leadingBlank > 0) {
      if (blockIndent > ind || leadingBlank > 0) throw GIVE_UP;
      // Empty block scalar.
      this.i++;
      this.vcol = -1;
      return { kind: 'scalar', value: '', ...at };
    }
    const body: string[] = [];
    let trailingEmpty = 0;
    for (; k < this.n; k++) {
      const l = lines[k]!;
      let c = 0;
      while (c < l.length && c < blockIndent && l.charCodeAt(c) === SPACE) c++;
      if (c === l.length) {
        body.push('');
        trailingEmpty++;
        continue;
      }
      if (c < blockIndent) {
        // A line with only spaces beyond this point is blank, anything else ends the scalar.
        if (l.trim() === '') {
          body.push('');
          trailingEmpty++;
          continue;
        }
        break;
      }
      const content = l.slice(blockIndent);
      if (folded && (content.charCodeAt(0) === SPACE || content.charCodeAt(0) === TAB)) throw GIVE_UP;
      body.push(content);
      trailingEmpty = 0;
    }
    body.length -= trailingEmpty;
    let text: string;
    if (!folded) {
      text = body.join('\n');
    } else {
      text = '';
      let empties = 0;
      let first = true;
      for (const l of body) {
        if (l === '') {
          empties++;
          continue;
        }
        if (first) {
          text = '\n'.repeat(empties) + l;
          first = false;
        } else {
          text += (empties > 0 ? '\n'.repeat(empties) : ' ') + l;
        }
        empties = 0;
      }
    }
    if (chomp === 'clip' && body.length > 0) text += '\n';
    this.i = k;
    this.vcol = -1;
    return { kind: 'scalar', value: text, ...at };
  }
}

/** Reads a flow collection (`[...]`, `{...}`), possibly over several lines. */
class FlowReader {
  li: number;
  ci: number;
  constructor(
    private readonly lines: string[],
    li: number,
    ci: number,
    /** Lines a collection continues on must be indented more than this. */
    private readonly blockIndent: number,
  ) {
    this.li = li;
    this.ci = ci;
  }

  /** Skips spaces, line ends and comments; returns the next character code (-1 at the end). */
  private skip(): number {
    for (;;) {
      const line = this.lines[this.li];
      if (line === undefined) return -1;
      while (this.ci < line.length) {
        const c = line.charCodeAt(this.ci);
        if (c === SPACE || c === TAB) this.ci++;
        else if (c === HASH && (this.ci === 0 || isBlankChar(line.charCodeAt(this.ci - 1))))
          this.ci = line.length;
        else return c;
      }
      this.li++;
      this.ci = 0;
      const next = this.lines[this.li];
      if (next === undefined) continue;
      let c = 0;
      while (c < next.length && next.charCodeAt(c) === SPACE) c++;
      if (isDocMarker(next, '---') || isDocMarker(next, '...')) throw GIVE_UP;
      const first = next.charCodeAt(c);
      // Closing brackets may sit at the enclosing indentation; other content must be deeper.
      if (c < next.length && first !== HASH && first !== 93 && first !== 125 && c <= this.blockIndent)
        throw GIVE_UP;
      if (next.charCodeAt(c) === TAB) throw GIVE_UP;
      this.ci = c;
    }
  }

  value(): YNode {
    const c = this.skip();
    const line = this.li + 1;
    const col = this.ci + 1;
    if (c === 91) return this.seq();
    if (c === 123) return this.map();
    if (c === 34 || c === 39) {
      const text = this.lines[this.li]!;
      const q = c === 34 ? readDouble(text, this.ci) : readSingle(text, this.ci);
      if (q === null) throw GIVE_UP;
      this.ci = q.end;
      return { kind: 'scalar', value: q.value, line, col };
    }
    if (
      c < 0 ||
      c === 44 ||
      c === 93 ||
      c === 125 ||
      c === 38 ||
      c === 42 ||
      c === 33 ||
      c === 124 ||
      c === 62
    )
      throw GIVE_UP;
    if (c === 37 || c === 64 || c === 96 || c === 35) throw GIVE_UP;
    if ((c === DASH || c === 63 || c === COLON) && isSpaceOrEnd(this.lines[this.li]!, this.ci + 1))
      throw GIVE_UP;
    return { kind: 'scalar', value: resolvePlain(this.plain()), line, col };
  }

  /** A plain scalar inside a flow collection: ends at `,[]{}`, `: `, a comment or the line end. */
  private plain(): string {
    const text = this.lines[this.li]!;
    const start = this.ci;
    let c = start;
    for (; c < text.length; c++) {
      const ch = text.charCodeAt(c);
      if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
      if (ch === COLON) {
        const nx = text.charCodeAt(c + 1);
        if (c + 1 >= text.length || nx === SPACE || nx === TAB || nx === 44 || nx === 93 || nx === 125) break;
      }
      if (ch === HASH && c > start && isBlankChar(text.charCodeAt(c - 1))) break;
    }
    const raw = text.slice(start, c).trimEnd();
    this.ci = c;
    if (c >= text.length || text.charCodeAt(c) === HASH) {
      // A plain scalar may continue on the next line: only accept it when a delimiter follows.
      const next = this.skip();
      if (next !== 44 && next !== 93 && next !== 125 && next !== COLON) throw GIVE_UP;
    }
    return raw;
  }

  private seq(): YSeq {
    const seq: YSeq = { kind: 'seq', items: [], line: this.li + 1, col: this.ci + 1 };
    this.ci++;
    for (;;) {
      let c = this.skip();
      if (c === 93) {
        this.ci++;
        return seq;
      }
      seq.items.push(this.value());
      c = this.skip();
      if (c === 44) this.ci++;
      else if (c === 93) {
        this.ci++;
        return seq;
      } else throw GIVE_UP;
    }
  }

  private map(): YMap {
    const map: YMap = { kind: 'map', keys: [], values: [], line: this.li + 1, col: this.ci + 1 };
    this.ci++;
    for (;;) {
      let c = this.skip();
      if (c === 125) {
        this.ci++;
        return map;
      }
      const keyNode = this.value();
      if (keyNode.kind !== 'scalar') throw GIVE_UP;
      const key: YKey = { name: keyName(keyNode.value), line: keyNode.line, col: keyNode.col };
      if (hasKey(map.keys, key.name)) throw GIVE_UP;
      c = this.skip();
      if (c !== COLON) throw GIVE_UP;
      this.ci++;
      c = this.skip();
      const value: YNode = c === 44 || c === 125 ? nullAt(key) : this.value();
      map.keys.push(key);
      map.values.push(value);
      c = this.skip();
      if (c === 44) this.ci++;
      else if (c === 125) {
        this.ci++;
        return map;
      } else throw GIVE_UP;
    }
  }
}

function nullAt(pos: { line: number; col: number }): YScalar {
  return { kind: 'scalar', value: null, line: pos.line, col: pos.col };
}

function hasKey(keys: YKey[], name: string): boolean {
  for (let k = 0; k < keys.length; k++) if (keys[k]!.name === name) return true;
  return false;
}

function isBlankChar(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isSpaceOrEnd(line: string, c: number): boolean {
  return c >= line.length || line.charCodeAt(c) === SPACE || line.charCodeAt(c) === TAB;
}

function isDocMarker(line: string, marker: string): boolean {
  return line.startsWith(marker) && isSpaceOrEnd(line, 3);
}

/** Only spaces and perhaps a comment from column `c` on. */
function restIsBlank(line: string, c: number): boolean {
  for (; c < line.length; c++) {
    const ch = line.charCodeAt(c);
    if (ch === HASH) return c === 0 || isBlankChar(line.charCodeAt(c - 1));
    if (ch !== SPACE && ch !== TAB) return false;
  }
  return true;
}

function isSeqItem(line: string, c: number): boolean {
  return line.charCodeAt(c) === DASH && isSpaceOrEnd(line, c + 1);
}

/**
 * If a block mapping key starts at column `c`, the column of its `:`; else -1. Gives up on
 * keys it does not handle (`? `, flow keys, anchors, tags).
 */
function keyEnd(line: string, c: number): number {
  const ch = line.charCodeAt(c);
  if (ch === 34 || ch === 39) {
    const q = ch === 34 ? readDouble(line, c) : readSingle(line, c);
    if (q === null) return -1;
    let p = q.end;
    while (p < line.length && line.charCodeAt(p) === SPACE) p++;
    return line.charCodeAt(p) === COLON && isSpaceOrEnd(line, p + 1) ? p : -1;
  }
  if ((ch === 63 /* ? */ || ch === COLON) && isSpaceOrEnd(line, c + 1)) throw GIVE_UP;
  if (ch === 44 || ch === 93 || ch === 125) throw GIVE_UP; // `,` `]` `}` cannot start a plain scalar
  if (ch === 91 || ch === 123 || ch === 38 || ch === 42 || ch === 33 || ch === 124 || ch === 62 || ch === 37)
    return -1;
  if (ch === 64 || ch === 96 || ch === HASH) return -1;
  // Native searches: much cheaper than a character loop while the code is still cold.
  const len = line.length;
  let hash = line.indexOf('#', c + 1);
  while (hash >= 0 && !isBlankChar(line.charCodeAt(hash - 1))) hash = line.indexOf('#', hash + 1);
  const stop = hash < 0 ? len : hash;
  let p = line.indexOf(':', c);
  while (p >= 0 && p < stop) {
    if (p + 1 >= len) return p;
    const nx = line.charCodeAt(p + 1);
    if (nx === SPACE || nx === TAB) return p;
    p = line.indexOf(':', p + 1);
  }
  return -1;
}

interface Quoted {
  value: string;
  /** Column just past the closing quote. */
  end: number;
}

function readSingle(line: string, start: number): Quoted | null {
  let out = '';
  let from = start + 1;
  for (;;) {
    const q = line.indexOf("'", from);
    if (q < 0) return null;
    if (line.charCodeAt(q + 1) === 39) {
      out += line.slice(from, q + 1);
      from = q + 2;
      continue;
    }
    out += line.slice(from, q);
    return { value: out, end: q + 1 };
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

function readDouble(line: string, start: number): Quoted | null {
  let out = '';
  let from = start + 1;
  for (let c = from; c < line.length; c++) {
    const ch = line.charCodeAt(c);
    if (ch === 34) {
      out += line.slice(from, c);
      return { value: out, end: c + 1 };
    }
    if (ch === 92 /* \ */) {
      out += line.slice(from, c);
      const e = line[c + 1];
      if (e === undefined) return null; // escaped line break: multi-line
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        c++;
      } else {
        const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        if (width === 0) throw GIVE_UP;
        const hex = line.slice(c + 2, c + 2 + width);
        if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) throw GIVE_UP;
        out += String.fromCodePoint(parseInt(hex, 16));
        c += 1 + width;
      }
      from = c + 1;
    }
  }
  return null;
}

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** A plain scalar resolved by the YAML 1.2 core schema, as the `yaml` package does by default. */
export function resolvePlain(raw: string): YScalarValue {
  if (raw.length === 0) return null;
  const c = raw.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === 46) {
    if (INT.test(raw)) return Number(raw);
    if (FLOAT.test(raw)) return Number(raw);
    if (c === 48 && raw.length > 2) {
      if (/^0x[0-9a-fA-F]+$/.test(raw)) return parseInt(raw.slice(2), 16);
      if (/^0o[0-7]+$/.test(raw)) return parseInt(raw.slice(2), 8);
    }
    if (/^[-+]?\.(?:inf|Inf|INF)$/.test(raw)) return raw.charCodeAt(0) === DASH ? -Infinity : Infinity;
    if (raw === '.nan' || raw === '.NaN' || raw === '.NAN') return NaN;
    return raw;
  }
  switch (raw) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  return raw;
}

// AssemblyScript: the good-rows fast path of goodRows.ts (the regular expression) in WebAssembly
// with SIMD (Node 16.4+). Compiled by build.mjs (npm run build:wasm, run by npm run build) to
// dist/ingest/batch/wasm/goodRows.wasm.
//
// Contract: skip(base, start, end) passes whole lines of bytes [start, end) that CsvScanner.check()
// certainly accepts, and stops at the start of the first line it is not sure of. It accepts exactly
// what the regular expression of goodRowPattern() accepts: ASCII values without surrounding spaces in
// typed columns, quoted values only in string columns (nothing after the closing quote), something
// other than white space in required string columns, a line break (`\n` or `\r\n`) at the end.
//
// Fields are found 64 bytes at a time: SIMD comparisons give the bits of the structural bytes
// (delimiter, quote, `\n`, NUL), and the walk goes from bit to bit, so that finding the next field
// waits on no load; typed values of up to 16 bytes are checked with masks rather than loops where
// that is simple (integers, decimals, dates without a time, booleans), the loops decide the rest.
// Branches that the data decides are what cost here (a mispredicted one is worth ~20 bytes of
// work), and calls: the checks used on every row are inlined (a call spills the walk's registers,
// which cost about 60 cycles per typed field before). Each field goes through one switch on its
// column's flags, whose cases do only that column's checks (about 6% less time on bench:ingest than
// testing kind, required and last one after the other).
// Memory, laid out by the JavaScript side: one byte per field position (kind in the low 3 bits, 8
// when required, 16 on the last one: set by configure()), then the block, followed by at least 128
// NUL bytes: the walk stops at them, so no loop checks the block's end.

const KIND_STRING: u32 = 0;
const KIND_INTEGER: u32 = 1;
const KIND_NUMBER: u32 = 2;
const KIND_BOOLEAN: u32 = 3;
const KIND_DATE: u32 = 4;
const KIND_TIMESTAMP: u32 = 5;
const REQUIRED: u32 = 8;
/** Set on the last field position (by configure()). */
const LAST: u32 = 16;

let columns: usize = 0;
let width: i32 = 0;
let delimiter: u32 = 44;
let quote: u32 = 34;
/** A doubled quote stands for a character that is not white space. */
let quoteIsPrintable: bool = true;
let passedLines: i32 = 0;

/** The first byte not used by the module's own data. */
export function heapBase(): usize {
  return __heap_base;
}

export function configure(columnsAt: usize, fields: i32, d: u32, q: u32): void {
  columns = columnsAt;
  width = fields;
  delimiter = d;
  quote = q;
  quoteIsPrintable = q - 0x21 < 0x5e;
  store<u8>(columns + <usize>(fields - 1), load<u8>(columns + <usize>(fields - 1)) | LAST);
}

/** The lines passed by the last skip(). */
export function passed(): i32 {
  return passedLines;
}

/** The structural bytes (delimiter, quote, `\n`, NUL) of the 64 bytes at `at`, as bits. */
@inline
function structural(at: usize): u64 {
  const d = i8x16.splat(<i8>delimiter);
  const q = i8x16.splat(<i8>quote);
  const nl = i8x16.splat(10);
  const zero = i8x16.splat(0);
  let bits: u64 = 0;
  for (let k: usize = 0; k < 64; k += 16) {
    const v = v128.load(at + k);
    const hits = v128.or(v128.or(i8x16.eq(v, d), i8x16.eq(v, q)), v128.or(i8x16.eq(v, nl), i8x16.eq(v, zero)));
    bits |= (<u64>i8x16.bitmask(hits)) << (<u64>k);
  }
  return bits;
}

/** Whether bytes [s, e) hold one of 0x21..0x7e (something that trim() keeps). */
@inline
function hasPrintable(s: usize, e: usize): bool {
  const low = i8x16.splat(0x21);
  const span = i8x16.splat(0x5e);
  while (s < e) {
    let mask = <u32>i8x16.bitmask(i8x16.lt_u(i8x16.sub(v128.load(s), low), span));
    const n = e - s;
    if (n < 16) mask &= (<u32>1 << <u32>n) - 1;
    if (mask != 0) return true;
    s += 16;
  }
  return false;
}

/** Whether the content of a quoted field [s, e) holds something that trim() keeps (a doubled quote counts). */
function quotedHasPrintable(s: usize, e: usize): bool {
  for (let i = s; i < e; i++) {
    const c = <u32>load<u8>(i);
    if (isPrintable(c) || (c == quote && quoteIsPrintable)) return true;
  }
  return false;
}

/**
 * Passes good lines from `start` (`base` is the block's start: chunks of 64 bytes are counted from
 * it); returns where it stopped (`end`, or the start of a line not passed). One function with the
 * walk's state in locals: the next structural byte is `chunk + ctz(bits)`.
 */
export function skip(base: usize, start: usize, end: usize): usize {
  let p = start;
  let n = 0;
  let chunk = base + ((start - base) & ~(<usize>63));
  let bits = structural(chunk) & (<u64>-1 << <u64>(start - chunk));
  // The settings in locals: the compiler keeps them in registers.
  const d = delimiter;
  const q = quote;
  const table = columns;
  while (p < end) {
    let c = <u32>load<u8>(p);
    // An empty line is rejected.
    if (c == 10 || (c == 13 && load<u8>(p + 1) == 10)) break;
    let s = p;
    let good = true;
    let t = table;
    for (;;) {
      const flags = <u32>load<u8>(t++);
      while (bits == 0) bits = structural((chunk += 64));
      let e = chunk + <usize>ctz(bits);
      bits &= bits - 1;
      c = <u32>load<u8>(e);
      // One case per column kind, required or not, last or not: each does only its own checks.
      let ok = true;
      let quoted = false;
      switch (flags) {
        case KIND_STRING:
          if (c != d) ok = quoted = c == q;
          break;
        case KIND_STRING | REQUIRED:
          if (c == d) ok = printable(s, e);
          else ok = quoted = c == q;
          break;
        case KIND_INTEGER:
          ok = c == d && (e == s || typed(s, e, KIND_INTEGER));
          break;
        case KIND_INTEGER | REQUIRED:
          ok = c == d && e != s && typed(s, e, KIND_INTEGER);
          break;
        case KIND_NUMBER:
          ok = c == d && (e == s || typed(s, e, KIND_NUMBER));
          break;
        case KIND_NUMBER | REQUIRED:
          ok = c == d && e != s && typed(s, e, KIND_NUMBER);
          break;
        case KIND_BOOLEAN:
          ok = c == d && (e == s || typed(s, e, KIND_BOOLEAN));
          break;
        case KIND_BOOLEAN | REQUIRED:
          ok = c == d && e != s && typed(s, e, KIND_BOOLEAN);
          break;
        case KIND_DATE:
          ok = c == d && (e == s || typed(s, e, KIND_DATE));
          break;
        case KIND_DATE | REQUIRED:
          ok = c == d && e != s && typed(s, e, KIND_DATE);
          break;
        case KIND_TIMESTAMP:
          ok = c == d && (e == s || typed(s, e, KIND_TIMESTAMP));
          break;
        case KIND_TIMESTAMP | REQUIRED:
          ok = c == d && e != s && typed(s, e, KIND_TIMESTAMP);
          break;
        // The last column ends with the line break; a `\r` before it is not part of the value.
        case LAST | KIND_STRING:
          if (c != 10) ok = quoted = c == q;
          break;
        case LAST | KIND_STRING | REQUIRED:
          if (c == 10) ok = printable(s, valueEnd(s, e));
          else ok = quoted = c == q;
          break;
        default: {
          if ((flags & LAST) == 0 || c != 10) {
            ok = false;
            break;
          }
          const v = valueEnd(s, e);
          if (v == s) ok = (flags & REQUIRED) == 0;
          else ok = typed(s, v, flags & 7);
        }
      }
      if (!ok) {
        good = false;
        break;
      }
      if (quoted) {
        // A quoted value: only in string columns (the cases above), and at the start of the field.
        if (e != s) {
          good = false;
          break;
        }
        for (;;) {
          while (bits == 0) bits = structural((chunk += 64));
          e = chunk + <usize>ctz(bits);
          bits &= bits - 1;
          c = <u32>load<u8>(e);
          if (c == q) {
            if (<u32>load<u8>(e + 1) != q) break;
            // The second quote.
            while (bits == 0) bits = structural((chunk += 64));
            bits &= bits - 1;
          } else if (c == 10 || c == 0) {
            good = false;
            break;
          }
        }
        if (!good) break;
        const close = e + 1;
        if ((flags & REQUIRED) != 0 && !quotedHasPrintable(s + 1, e)) {
          good = false;
          break;
        }
        while (bits == 0) bits = structural((chunk += 64));
        e = chunk + <usize>ctz(bits);
        bits &= bits - 1;
        c = <u32>load<u8>(e);
        if (e != close && !(c == 10 && e == close + 1 && load<u8>(close) == 13)) {
          good = false;
          break;
        }
        // The field ends with the delimiter, the last one with the line break.
        if ((flags & LAST) != 0 ? c != 10 : c != d) {
          good = false;
          break;
        }
      }
      s = e + 1;
      if ((flags & LAST) != 0) break;
    }
    if (!good) break;
    p = s;
    n++;
  }
  passedLines = n;
  return p;
}

/** The end of the last value, whose line break is at `e`: a `\r` before it is left out. */
@inline
function valueEnd(s: usize, e: usize): usize {
  return e > s && load<u8>(e - 1) == 13 ? e - 1 : e;
}

/** Whether an unquoted required string [s, e) holds something that trim() keeps. */
@inline
function printable(s: usize, e: usize): bool {
  return (e > s && isPrintable(<u32>load<u8>(s))) || hasPrintable(s, e);
}

/** Whether the typed value [s, e) (not empty) certainly passes. */
@inline
function typed(s: usize, e: usize, kind: u32): bool {
  switch (kind) {
    case KIND_INTEGER:
      return shortDecimal(s, e, false) || integer(s) == e;
    case KIND_NUMBER:
      return shortDecimal(s, e, true) || number(s) == e;
    case KIND_BOOLEAN:
      return isBoolean(s, e);
    case KIND_DATE:
      return shortDate(s, e) || date(s) == e;
    case KIND_TIMESTAMP:
      return shortDate(s, e) || date(s) == e || epoch(s) == e;
    default:
      return false;
  }
}

/**
 * /[+-]?\d+/, or with `dot` /[+-]?(\d+\.?\d*|\.\d+)/, on at most 16 bytes, without a loop: the bits of
 * the digits (and of one dot) must cover the value. False may be a yes: the loops decide then.
 */
@inline
function shortDecimal(s: usize, e: usize, dot: bool): bool {
  const c = <u32>load<u8>(s);
  if (c == 43 || c == 45) s++;
  const n = e - s;
  if (n == 0 || n > 16) return false;
  const v = v128.load(s);
  const want = (<u32>1 << <u32>n) - 1;
  const numerals = <u32>i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10))) & want;
  if (numerals == want) return true;
  if (!dot || numerals == 0) return false;
  const dots = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(46))) & want;
  return (numerals | dots) == want && popcnt(dots) == 1;
}

@inline
function isPrintable(c: u32): bool {
  return c - 0x21 < 0x5e;
}

@inline
function isDigit(c: u32): bool {
  return c - 48 < 10;
}

function digits(p: usize): usize {
  while (isDigit(<u32>load<u8>(p))) p++;
  return p;
}

@inline
function sign(p: usize): usize {
  const c = <u32>load<u8>(p);
  return c == 43 || c == 45 ? p + 1 : p;
}

/** /[+-]?\d+/ */
function integer(p: usize): usize {
  const s = sign(p);
  const e = digits(s);
  return e > s ? e : 0;
}

/** /[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/ */
function number(p: usize): usize {
  const s = sign(p);
  let e = digits(s);
  if (e > s) {
    if (load<u8>(e) == 46) e = digits(e + 1);
  } else {
    if (load<u8>(e) != 46) return 0;
    e = digits(s + 1);
    if (e == s + 1) return 0;
  }
  const c = <u32>load<u8>(e);
  if (c == 101 || c == 69) {
    const x = sign(e + 1);
    e = digits(x);
    if (e == x) return 0;
  }
  return e;
}

/**
 * /(true|false|t|f|yes|no|y|n|1|0)/i on [s, e): the value's bytes at `s` (at most 5), cut to its
 * length, as one number.
 */
@inline
function isBoolean(s: usize, e: usize): bool {
  const n = e - s;
  if (n > 5) return false;
  const bytes = load<u64>(s) & ((<u64>1 << (<u64>n << 3)) - 1);
  if (bytes == 0x31 || bytes == 0x30) return true; // 1, 0
  // Lower-cased: x | 0x20 is a letter only when x is that letter in either case.
  const word = bytes | (0x2020202020 & ((<u64>1 << (<u64>n << 3)) - 1));
  return (
    word == 0x65757274 || // true
    word == 0x65736c6166 || // false
    word == 0x736579 || // yes
    word == 0x6f6e || // no
    word == 0x74 || // t
    word == 0x66 || // f
    word == 0x79 || // y
    word == 0x6e // n
  );
}

/**
 * A date without a time on at most 16 bytes, without a loop: digits and two separators, in runs of
 * 4, 1-2, 1-2 or 1-2, 1-2, 4. False may be a yes: date() decides then.
 */
@inline
function shortDate(s: usize, e: usize): bool {
  const n = <u32>(e - s);
  if (n > 16) return false;
  const v = v128.load(s);
  const want = (<u32>1 << n) - 1;
  const numerals = <u32>i8x16.bitmask(i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10))) & want;
  const separators =
    <u32>i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, i8x16.splat(45)), i8x16.eq(v, i8x16.splat(47))), i8x16.eq(v, i8x16.splat(46)))) & want;
  if ((numerals | separators) != want || popcnt(separators) != 2) return false;
  const first = ctz(separators);
  const second = ctz(separators & (separators - 1));
  const a = first;
  const b = second - first - 1;
  const c = n - second - 1;
  return b - 1 < 2 && (a == 4 ? c - 1 < 2 : a - 1 < 2 && c == 4);
}

function isDateSeparator(c: u32): bool {
  return c == 45 || c == 47 || c == 46;
}

/**
 * /(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)? *(Z|[+-]\d{2}:?\d{2})?)?/
 * followed by a byte that no part of it can take (the delimiter or the line break): digit runs are
 * taken whole, and a part that begins must be completed.
 */
function date(p: usize): usize {
  let i = digits(p);
  const first = i - p;
  if (first != 4 && first != 1 && first != 2) return 0;
  if (!isDateSeparator(<u32>load<u8>(i))) return 0;
  let j = digits(i + 1);
  let run = j - i - 1;
  if (run < 1 || run > 2 || !isDateSeparator(<u32>load<u8>(j))) return 0;
  i = digits(j + 1);
  run = i - j - 1;
  if (first == 4 ? run < 1 || run > 2 : run != 4) return 0;
  let c = <u32>load<u8>(i);
  if (c != 32 && c != 84) return i;
  // Time
  j = digits(i + 1);
  run = j - i - 1;
  if (run < 1 || run > 2 || load<u8>(j) != 58) return 0;
  i = digits(j + 1);
  if (i - j - 1 != 2) return 0;
  if (load<u8>(i) == 58) {
    j = digits(i + 1);
    if (j - i - 1 != 2) return 0;
    i = j;
    if (load<u8>(i) == 46) {
      j = digits(i + 1);
      if (j == i + 1) return 0;
      i = j;
    }
  }
  while (load<u8>(i) == 32) i++;
  c = <u32>load<u8>(i);
  if (c == 90) return i + 1;
  if (c != 43 && c != 45) return i;
  j = digits(i + 1);
  run = j - i - 1;
  if (run == 4) return j;
  if (run != 2 || load<u8>(j) != 58) return 0;
  i = digits(j + 1);
  return i - j - 1 == 2 ? i : 0;
}

/** /\d{9,13}/ */
function epoch(p: usize): usize {
  const e = digits(p);
  const n = e - p;
  return n >= 9 && n <= 13 ? e : 0;
}

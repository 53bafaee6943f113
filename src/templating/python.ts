/**
 * Python semantics for the values templates handle: how they print (`str()`), their truth value, and
 * the methods dbt projects call on strings, lists and dicts (`.upper()`, `.split()`, `.items()`, ...).
 */
import { bindArgs, splitArgs } from './args.js';
import { isSafeString } from './nj.js';

/** An error raised by Python-level operations; the engine turns it into a located template error. */
export class TemplateValueError extends Error {
  override name = 'TemplateValueError';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isStringLike(value: unknown): value is string | { val: string } {
  return typeof value === 'string' || isSafeString(value);
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : isSafeString(value) ? value.val : pyStr(value);
}

/** Python truth value: empty strings, lists and dicts, 0, None and False are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'object':
      if (Array.isArray(value)) return value.length > 0;
      if (isSafeString(value)) return value.val.length > 0;
      if (value instanceof Map || value instanceof Set) return value.size > 0;
      if (isPlainObject(value)) {
        for (const k in value) if (k !== '__keywords') return true;
        return false;
      }
      return true;
    default:
      return true;
  }
}

/** `str(value)` as Jinja prints it: None, True, ['a', 'b'], {'k': 1}. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (isSafeString(value)) return value.val;
  if (Array.isArray(value) || isPlainObject(value)) return pyRepr(value);
  return String(value);
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** `repr(value)`: strings quoted the way Python quotes them. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string' || isSafeString(value)) {
    const s = asString(value);
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isPlainObject(value)) {
    const parts = Object.keys(value)
      .filter((k) => k !== '__keywords')
      .map((k) => `${pyRepr(k)}: ${pyRepr(value[k])}`);
    return `{${parts.join(', ')}}`;
  }
  return pyStr(value);
}

/** Python `==`: by value for lists and dicts, SafeString equal to its text, no type coercion. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (isSafeString(a)) a = a.val;
  if (isSafeString(b)) b = b.val;
  if (a === b) return true;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return Number(b) === a;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => k !== '__keywords');
    const kb = Object.keys(b).filter((k) => k !== '__keywords');
    return ka.length === kb.length && ka.every((k) => k in b && pyEq(a[k], b[k]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a.valueOf() !== a && b.valueOf() !== b) {
    return a.valueOf() === b.valueOf();
  }
  return false;
}

// ---------------------------------------------------------------- strings

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WS : asString(chars);
  let start = 0;
  let end = s.length;
  if (left) while (start < end && set.includes(s[start]!)) start++;
  if (right) while (end > start && set.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

export function pySplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length > 0) {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest.replace(/\s+$/, ''));
        return out;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const separator = asString(sep);
  if (separator === '') throw new TemplateValueError('ValueError: empty separator');
  const parts = s.split(separator);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(separator)];
}

function pyTitle(s: string): string {
  return s.replace(/[A-Za-z\u00C0-\uFFFF]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

function countOf(s: string, sub: string): number {
  if (sub === '') return s.length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i !== -1; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

function affixes(value: unknown): string[] {
  return Array.isArray(value) ? value.map(asString) : [asString(value)];
}

function pad(s: string, width: unknown, fill: unknown, align: '<' | '>' | '^'): string {
  const w = Number(width ?? 0);
  const f = fill === undefined ? ' ' : asString(fill);
  if (s.length >= w) return s;
  const total = w - s.length;
  if (align === '<') return s + f.repeat(total);
  if (align === '>') return f.repeat(total) + s;
  const left = Math.floor(total / 2) + (total % 2 && w % 2 ? 1 : 0);
  return f.repeat(left) + s + f.repeat(total - left);
}

type Method = (self: never, args: unknown[]) => unknown;

const STRING_METHODS: Record<string, (s: string, args: unknown[]) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s) => pyTitle(s),
  capitalize: (s) => (s.length ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
  strip: (s, a) => stripChars(s, a[0], true, true),
  lstrip: (s, a) => stripChars(s, a[0], true, false),
  rstrip: (s, a) => stripChars(s, a[0], false, true),
  replace: (s, a) => {
    const { old, new: repl, count } = bindArgs(a, ['old', 'new', 'count'], { count: -1 });
    const from = asString(old);
    const to = asString(repl);
    let n = Number(count);
    if (n < 0) return from === '' ? s.split('').join(to) : s.split(from).join(to);
    let out = '';
    let rest = s;
    while (n-- > 0) {
      const i = rest.indexOf(from);
      if (i === -1) break;
      out += rest.slice(0, i) + to;
      rest = rest.slice(i + from.length);
    }
    return out + rest;
  },
  split: (s, a) => {
    const { sep, maxsplit } = bindArgs(a, ['sep', 'maxsplit'], { maxsplit: -1 });
    return pySplit(s, sep, Number(maxsplit));
  },
  rsplit: (s, a) => {
    const { sep, maxsplit } = bindArgs(a, ['sep', 'maxsplit'], { maxsplit: -1 });
    const n = Number(maxsplit);
    if (n < 0) return pySplit(s, sep, -1);
    const reversed = pySplit(
      [...s].reverse().join(''),
      sep === undefined || sep === null ? sep : [...asString(sep)].reverse().join(''),
      n,
    );
    return reversed.map((p) => [...p].reverse().join('')).reverse();
  },
  splitlines: (s) => {
    const lines = s.split(/\r\n|\r|\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
  },
  startswith: (s, a) => affixes(a[0]).some((p) => s.startsWith(p)),
  endswith: (s, a) => affixes(a[0]).some((p) => s.endsWith(p)),
  join: (s, a) => toList(a[0]).map(asString).join(s),
  count: (s, a) => countOf(s, asString(a[0])),
  find: (s, a) => s.indexOf(asString(a[0]), a[1] === undefined ? 0 : Number(a[1])),
  rfind: (s, a) => s.lastIndexOf(asString(a[0])),
  index: (s, a) => {
    const i = s.indexOf(asString(a[0]));
    if (i === -1) throw new TemplateValueError('ValueError: substring not found');
    return i;
  },
  format: (s, a) => {
    const { positional, keywords } = splitArgs(a);
    return pyFormat(s, positional, keywords);
  },
  isdigit: (s) => /^[0-9]+$/.test(s),
  isnumeric: (s) => /^[0-9]+$/.test(s),
  isdecimal: (s) => /^[0-9]+$/.test(s),
  isalpha: (s) => /^[A-Za-z\u00C0-\uFFFF]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9\u00C0-\uFFFF]+$/.test(s),
  isspace: (s) => /^\s+$/.test(s),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  istitle: (s) => /[A-Za-z]/.test(s) && s === pyTitle(s),
  zfill: (s, a) => {
    const w = Number(a[0]);
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    const body = sign ? s.slice(1) : s;
    return sign + body.padStart(w - sign.length, '0');
  },
  ljust: (s, a) => pad(s, a[0], a[1], '<'),
  rjust: (s, a) => pad(s, a[0], a[1], '>'),
  center: (s, a) => pad(s, a[0], a[1], '^'),
  partition: (s, a) => {
    const sep = asString(a[0]);
    const i = s.indexOf(sep);
    return i === -1 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  removeprefix: (s, a) => (s.startsWith(asString(a[0])) ? s.slice(asString(a[0]).length) : s),
  removesuffix: (s, a) => {
    const x = asString(a[0]);
    return x && s.endsWith(x) ? s.slice(0, -x.length) : s;
  },
};

// ---------------------------------------------------------------- lists and dicts

export function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return [];
  if (isStringLike(value)) return [...asString(value)];
  if (isPlainObject(value)) return Object.keys(value).filter((k) => k !== '__keywords');
  if (typeof value === 'object' && Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
  throw new TemplateValueError(`TypeError: '${typeName(value)}' object is not iterable`);
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (isStringLike(value)) return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (isPlainObject(value)) return 'dict';
  if (typeof value === 'function') return 'function';
  return (value as object).constructor?.name ?? 'object';
}

function pyIndex(list: unknown[], i: unknown): number {
  let n = i === undefined ? list.length - 1 : Number(i);
  if (n < 0) n += list.length;
  if (n < 0 || n >= list.length) throw new TemplateValueError('IndexError: pop index out of range');
  return n;
}

const LIST_METHODS: Record<string, (l: unknown[], args: unknown[]) => unknown> = {
  append: (l, a) => {
    l.push(a[0]);
    return null;
  },
  extend: (l, a) => {
    l.push(...toList(a[0]));
    return null;
  },
  insert: (l, a) => {
    let i = Number(a[0]);
    if (i < 0) i = Math.max(0, l.length + i);
    l.splice(i, 0, a[1]);
    return null;
  },
  pop: (l, a) => l.splice(pyIndex(l, a[0]), 1)[0],
  remove: (l, a) => {
    const i = l.findIndex((x) => pyEq(x, a[0]));
    if (i === -1) throw new TemplateValueError('ValueError: list.remove(x): x not in list');
    l.splice(i, 1);
    return null;
  },
  index: (l, a) => {
    const i = l.findIndex((x) => pyEq(x, a[0]));
    if (i === -1) throw new TemplateValueError(`ValueError: ${pyRepr(a[0])} is not in list`);
    return i;
  },
  count: (l, a) => l.filter((x) => pyEq(x, a[0])).length,
  reverse: (l) => {
    l.reverse();
    return null;
  },
  sort: (l, a) => {
    const { reverse } = bindArgs(a, [], {});
    const kw = splitArgs(a).keywords;
    l.sort(pyCompare);
    if (truthy(kw.reverse ?? reverse)) l.reverse();
    return null;
  },
  copy: (l) => l.slice(),
  clear: (l) => {
    l.length = 0;
    return null;
  },
};

export function pyCompare(a: unknown, b: unknown): number {
  const x = isSafeString(a) ? a.val : a;
  const y = isSafeString(b) ? b.val : b;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

function dictKeys(d: Record<string, unknown>): string[] {
  return Object.keys(d).filter((k) => k !== '__keywords');
}

const DICT_METHODS: Record<string, (d: Record<string, unknown>, args: unknown[]) => unknown> = {
  items: (d) => dictKeys(d).map((k) => [k, d[k]]),
  keys: (d) => dictKeys(d),
  values: (d) => dictKeys(d).map((k) => d[k]),
  get: (d, a) => {
    const key = asString(a[0]);
    return Object.prototype.hasOwnProperty.call(d, key) && d[key] !== undefined ? d[key] : (a[1] ?? null);
  },
  update: (d, a) => {
    const { positional, keywords } = splitArgs(a);
    const other = positional[0];
    if (isPlainObject(other)) for (const k of dictKeys(other)) d[k] = other[k];
    else if (Array.isArray(other))
      for (const pair of other) d[asString((pair as unknown[])[0])] = (pair as unknown[])[1];
    Object.assign(d, keywords);
    return null;
  },
  pop: (d, a) => {
    const key = asString(a[0]);
    if (Object.prototype.hasOwnProperty.call(d, key)) {
      const v = d[key];
      delete d[key];
      return v;
    }
    if (a.length > 1) return a[1];
    throw new TemplateValueError(`KeyError: ${pyRepr(key)}`);
  },
  setdefault: (d, a) => {
    const key = asString(a[0]);
    if (!Object.prototype.hasOwnProperty.call(d, key)) d[key] = a.length > 1 ? a[1] : null;
    return d[key];
  },
  copy: (d) => {
    const out: Record<string, unknown> = {};
    for (const k of dictKeys(d)) out[k] = d[k];
    return out;
  },
  clear: (d) => {
    for (const k of dictKeys(d)) delete d[k];
    return null;
  },
};

/**
 * The Python method `name` of `obj`, bound, or undefined. `attribute` is true for `obj.name` (a dict's
 * methods win over its keys, as in Jinja) and false for `obj['name']` (keys win).
 */
export function pyMethod(obj: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  let table: Record<string, Method> | undefined;
  let self: unknown = obj;
  if (typeof obj === 'string') table = STRING_METHODS as Record<string, Method>;
  else if (isSafeString(obj)) {
    table = STRING_METHODS as Record<string, Method>;
    self = obj.val;
  } else if (Array.isArray(obj)) table = LIST_METHODS as Record<string, Method>;
  else if (isPlainObject(obj)) table = DICT_METHODS as Record<string, Method>;
  if (!table || !Object.prototype.hasOwnProperty.call(table, name)) return undefined;
  const fn = table[name]!;
  return (...args: unknown[]) => fn(self as never, args);
}

// ---------------------------------------------------------------- formatting

/** Python `'%s and %(name)d' % args`. */
export function pyPercent(format: string, values: unknown): string {
  const isMapping = isPlainObject(values);
  const list = Array.isArray(values) ? values : [values];
  let i = 0;
  const out = format.replace(
    /%(\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifrFeEgGxXoc%])/g,
    (
      _m,
      _g,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      prec: string | undefined,
      conv: string,
    ) => {
      if (conv === '%') return '%';
      let value: unknown;
      if (key !== undefined) {
        if (!isMapping) throw new TemplateValueError('TypeError: format requires a mapping');
        value = (values as Record<string, unknown>)[key];
      } else {
        if (i >= list.length)
          throw new TemplateValueError('TypeError: not enough arguments for format string');
        value = list[i++];
      }
      let text: string;
      switch (conv) {
        case 's':
          text = pyStr(value);
          break;
        case 'r':
          text = pyRepr(value);
          break;
        case 'd':
        case 'i':
          text = String(Math.trunc(Number(value)));
          break;
        case 'f':
        case 'F':
          text = Number(value).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case 'e':
        case 'E':
          text = Number(value)
            .toExponential(prec === undefined ? 6 : Number(prec))
            .replace(/e([+-])(\d)$/, 'e$10$2');
          if (conv === 'E') text = text.toUpperCase();
          break;
        case 'g':
        case 'G':
          text = String(Number(value));
          break;
        case 'x':
          text = Math.trunc(Number(value)).toString(16);
          break;
        case 'X':
          text = Math.trunc(Number(value)).toString(16).toUpperCase();
          break;
        case 'o':
          text = Math.trunc(Number(value)).toString(8);
          break;
        default:
          text = asString(value);
      }
      if (prec !== undefined && conv === 's') text = text.slice(0, Number(prec));
      if (flags.includes('+') && /^[0-9]/.test(text) && conv !== 's') text = '+' + text;
      const w = width === undefined || width === '*' ? 0 : Number(width);
      if (text.length < w) {
        if (flags.includes('-')) text = text.padEnd(w);
        else if (flags.includes('0') && conv !== 's') {
          const sign = /^[+-]/.test(text) ? text[0]! : '';
          text = sign + text.slice(sign.length).padStart(w - sign.length, '0');
        } else text = text.padStart(w);
      }
      return text;
    },
  );
  if (!isMapping && i < list.length && Array.isArray(values)) {
    throw new TemplateValueError('TypeError: not all arguments converted during string formatting');
  }
  return out;
}

/** Python `str.format`: `{}`, `{0}`, `{name}`, `{0[key]}`, `{name.attr}`, `{!r}`, and format specs. */
export function pyFormat(format: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0;
  return format.replace(
    /\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::([^{}]*))?\}/g,
    (m, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      const path = /^([^.[]*)(.*)$/.exec(field ?? '')!;
      const head = path[1]!;
      let value: unknown;
      if (head === '') value = args[auto++];
      else if (/^\d+$/.test(head)) value = args[Number(head)];
      else {
        if (!(head in kwargs)) throw new TemplateValueError(`KeyError: ${pyRepr(head)}`);
        value = kwargs[head];
      }
      for (const part of path[2]!.matchAll(/\.(\w+)|\[([^\]]+)\]/g)) {
        const key = part[1] ?? part[2]!;
        value = (value as Record<string, unknown>)?.[key];
      }
      const text = conv === 'r' ? pyRepr(value) : undefined;
      return formatSpec(text ?? value, spec ?? '');
    },
  );
}

export function formatSpec(value: unknown, spec: string): string {
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!spec || !m) return pyStr(value);
  const [, fillChar, alignChar, sign, , zero, width, group, prec, type] = m;
  let text: string;
  const num = Number(value);
  const numeric = typeof value === 'number' || (type !== undefined && type !== 's');
  switch (type) {
    case 'f':
    case 'F':
      text = num.toFixed(prec === undefined ? 6 : Number(prec));
      break;
    case '%':
      text = (num * 100).toFixed(prec === undefined ? 6 : Number(prec)) + '%';
      break;
    case 'd':
      text = String(Math.trunc(num));
      break;
    case 'x':
      text = Math.trunc(num).toString(16);
      break;
    case 'X':
      text = Math.trunc(num).toString(16).toUpperCase();
      break;
    case 'b':
      text = Math.trunc(num).toString(2);
      break;
    case 'e':
      text = num.toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
      break;
    default:
      text = pyStr(value);
      if (prec !== undefined && !numeric) text = text.slice(0, Number(prec));
      else if (prec !== undefined && typeof value === 'number')
        text = String(Number(num.toPrecision(Number(prec))));
  }
  if (group && numeric) {
    const [int, frac] = text.split('.');
    text = int!.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (frac !== undefined ? '.' + frac : '');
  }
  if (numeric && sign === '+' && num >= 0) text = '+' + text;
  if (numeric && sign === ' ' && num >= 0) text = ' ' + text;
  const w = width === undefined ? 0 : Number(width);
  const align = alignChar ?? (zero ? '=' : numeric ? '>' : '<');
  const fill = fillChar ?? (zero && !alignChar ? '0' : ' ');
  if (text.length >= w) return text;
  if (align === '=') {
    const s = /^[+\- ]/.test(text) ? text[0]! : '';
    return s + fill.repeat(w - text.length) + text.slice(s.length);
  }
  return pad(text, w, fill, align as '<' | '>' | '^');
}

// ---------------------------------------------------------------- JSON

export interface JsonOptions {
  sortKeys?: boolean;
  indent?: number | string | null;
  /** Escape <, >, & and ' as \u003c etc., as Jinja's `tojson` filter does. */
  htmlSafe?: boolean;
}

/** Python `json.dumps` (ensure_ascii, `, ` and `: ` separators). */
export function pyJson(value: unknown, options: JsonOptions = {}): string {
  const indent =
    options.indent === undefined || options.indent === null
      ? null
      : typeof options.indent === 'number'
        ? ' '.repeat(options.indent)
        : options.indent;
  const enc = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (isSafeString(v)) v = v.val;
    if (typeof v === 'string') return quoteJson(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number')
      return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    const nl = indent === null ? '' : '\n' + indent.repeat(depth + 1);
    const end = indent === null ? '' : '\n' + indent.repeat(depth);
    const sep = indent === null ? ', ' : ',';
    if (Array.isArray(v)) {
      if (!v.length) return '[]';
      return '[' + v.map((x) => nl + enc(x, depth + 1)).join(sep) + end + ']';
    }
    if (isPlainObject(v)) {
      let keys = dictKeys(v);
      if (options.sortKeys) keys = keys.sort();
      if (!keys.length) return '{}';
      return '{' + keys.map((k) => nl + quoteJson(k) + ': ' + enc(v[k], depth + 1)).join(sep) + end + '}';
    }
    const json = (v as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return enc(json.call(v), depth);
    throw new TemplateValueError(`TypeError: Object of type ${typeName(v)} is not JSON serializable`);
  };
  let out = enc(value, 0);
  if (options.htmlSafe) {
    out = out
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/'/g, '\\u0027');
  }
  return out;
}

function quoteJson(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

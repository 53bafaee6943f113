/**
 * The runtime the compiled templates call (see compile.ts): nunjucks' runtime with Jinja's name
 * resolution, Python operators and attribute lookup, `return()` for macros, and error locations.
 * It is an object passed to each render, not a patch of nunjucks' shared module.
 */
import { closestNames } from '../errors.js';
import { isKeywords } from './args.js';
import { nj, isSafeString, type NunjucksFrame } from './nj.js';
import {
  TemplateValueError,
  asString,
  isPlainObject,
  isStringLike,
  pyCompare,
  pyEq,
  pyMethod,
  pyPercent,
  pyStr,
  toList,
  truthy,
  typeName,
} from './python.js';
import { dateAdd, dateSub, isDateLike } from './datetime.js';

/** Thrown by `return(x)`; the enclosing macro call yields x. */
export class ReturnSignal {
  constructor(readonly value: unknown) {}
}

/** Where a template error happened: the line in the template being rendered, and the macro chain. */
export interface TemplateTrace {
  /** 1-based line in the file whose code raised, while it is not yet attributed to a frame. */
  qdbtLine?: number;
  qdbtColumn?: number;
  /** Innermost first. */
  qdbtTrace?: Array<{ macro: string; file: string; line: number }>;
  /** Suggestions for undefined names. */
  qdbtHint?: string;
}

export type TracedError = Error & TemplateTrace;

/** What compiled code needs from its `context` argument (see engine.ts). */
export interface RuntimeContext {
  readonly file: string;
  lookup(name: string): unknown;
  names(): Iterable<string>;
}

function located(message: string, lineno?: number, colno?: number): TracedError {
  const err = new TemplateValueError(message) as TracedError;
  if (lineno !== undefined) err.qdbtLine = lineno + 1;
  if (colno !== undefined) err.qdbtColumn = colno + 1;
  return err;
}

function frameNames(frame: unknown): string[] {
  const names: string[] = [];
  for (
    let f = frame as { variables?: Record<string, unknown>; parent?: unknown } | undefined;
    f;
    f = f.parent as typeof f
  ) {
    if (f.variables) names.push(...Object.keys(f.variables));
  }
  return names;
}

function undefinedName(name: string, context: RuntimeContext, frame: unknown, lineno: number): TracedError {
  const err = located(`'${name}' is undefined`, lineno);
  const near = closestNames(name, new Set([...context.names(), ...frameNames(frame)]));
  if (near.length) err.qdbtHint = `Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?`;
  return err;
}

function lookup(context: RuntimeContext, frame: NunjucksFrame, name: string, lineno: number): unknown {
  const local = frame.lookup(name);
  if (local !== undefined) return local;
  const value = context.lookup(name);
  if (value === undefined) throw undefinedName(name, context, frame, lineno);
  return value;
}

function softLookup(context: RuntimeContext, frame: NunjucksFrame, name: string): unknown {
  const local = frame.lookup(name);
  return local !== undefined ? local : context.lookup(name);
}

function bindMember(obj: object, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => fn.apply(obj, args);
}

function indexOf(length: number, key: unknown): number | undefined {
  const n =
    typeof key === 'number' ? key : typeof key === 'string' && /^-?\d+$/.test(key) ? Number(key) : NaN;
  if (!Number.isInteger(n)) return undefined;
  return n < 0 ? n + length : n;
}

/** `obj.key`: for dicts, Python methods win over keys of the same name (as in Jinja). */
function attr(obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) return undefined;
  const name = String(key);
  if (isPlainObject(obj)) {
    const own = Object.prototype.hasOwnProperty.call(obj, name);
    const value = own ? obj[name] : undefined;
    if (typeof value === 'function') return bindMember(obj, value as (...a: unknown[]) => unknown);
    return pyMethod(obj, name) ?? value;
  }
  if (isStringLike(obj) || Array.isArray(obj)) {
    const method = pyMethod(obj, name);
    if (method) return method;
    return item(obj, key);
  }
  const value = (obj as Record<string, unknown>)[name];
  if (typeof value === 'function' && typeof obj === 'object')
    return bindMember(obj, value as (...a: unknown[]) => unknown);
  return value;
}

/** `obj[key]`: keys first, then methods. Negative indexes count from the end. */
function item(obj: unknown, key: unknown): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (Array.isArray(obj) || isStringLike(obj)) {
    const s = Array.isArray(obj) ? obj : asString(obj);
    const i = indexOf(s.length, key);
    if (i === undefined) return Array.isArray(obj) ? undefined : pyMethod(obj, String(key));
    return s[i];
  }
  if (isPlainObject(obj)) {
    const name = String(key);
    if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
    return pyMethod(obj, name);
  }
  return attr(obj, key);
}

/** Python's `x[start:stop:step]` on strings and lists: negative indexes count from the end. */
function slice(obj: unknown, start: unknown, stop: unknown, step: unknown, lineno: number): unknown {
  const isList = Array.isArray(obj);
  if (!isList && !isStringLike(obj)) {
    throw located(`only strings and lists can be sliced, not ${typeName(obj)}`, lineno, 0);
  }
  const bound = (value: unknown, what: string): number | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw located(`slice ${what} must be a whole number or none, not ${pyStr(value)}`, lineno, 0);
    }
    return value;
  };
  const by = bound(step, 'step') ?? 1;
  if (by === 0) throw located('slice step cannot be zero', lineno, 0);
  const items: unknown[] | string = isList ? (obj as unknown[]) : asString(obj);
  const length = items.length;
  const clamp = (value: number | null, missing: number): number => {
    if (value === null) return missing;
    const from = value < 0 ? value + length : value;
    return by > 0 ? Math.min(Math.max(from, 0), length) : Math.min(Math.max(from, -1), length - 1);
  };
  const first = clamp(bound(start, 'start'), by > 0 ? 0 : length - 1);
  const end = clamp(bound(stop, 'stop'), by > 0 ? length : -1);
  const picked: unknown[] = [];
  for (let i = first; by > 0 ? i < end : i > end; i += by) picked.push(items[i]);
  return isList ? picked : picked.join('');
}

function out(value: unknown, lineno: number, colno: number, desc: string): string {
  if (value === undefined) throw located(`'${desc}' is undefined`, lineno, colno);
  if (typeof value === 'string') return value;
  return pyStr(value);
}

function or(left: unknown, right: () => unknown): unknown {
  return truthy(left) ? left : right();
}

function and(left: unknown, right: () => unknown): unknown {
  return truthy(left) ? right() : left;
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (isStringLike(a) && isStringLike(b)) return asString(a) + asString(b);
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isDateLike(a) || isDateLike(b)) return dateAdd(a, b);
  if (a === null || a === undefined || b === null || b === undefined) {
    throw new TemplateValueError(
      `TypeError: unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`,
    );
  }
  return (a as number) + (b as number);
}

function sub(a: unknown, b: unknown): unknown {
  if (isDateLike(a) || isDateLike(b)) return dateSub(a, b);
  return (a as number) - (b as number);
}

function mul(a: unknown, b: unknown): unknown {
  if (isStringLike(a) && typeof b === 'number') return asString(a).repeat(Math.max(0, b));
  if (isStringLike(b) && typeof a === 'number') return asString(b).repeat(Math.max(0, a));
  if (Array.isArray(a) && typeof b === 'number')
    return Array.from({ length: Math.max(0, b) }, () => a).flat();
  return (a as number) * (b as number);
}

function mod(a: unknown, b: unknown): unknown {
  if (isStringLike(a)) return pyPercent(asString(a), b);
  const x = a as number;
  const y = b as number;
  if (y === 0) throw new TemplateValueError('ZeroDivisionError: integer division or modulo by zero');
  return ((x % y) + y) % y;
}

function div(a: unknown, b: unknown): unknown {
  if (b === 0) throw new TemplateValueError('ZeroDivisionError: division by zero');
  return (a as number) / (b as number);
}

function floordiv(a: unknown, b: unknown): unknown {
  if (b === 0) throw new TemplateValueError('ZeroDivisionError: integer division or modulo by zero');
  return Math.floor((a as number) / (b as number));
}

function concat(a: unknown, b: unknown): string {
  return (a === undefined ? '' : pyStr(a)) + (b === undefined ? '' : pyStr(b));
}

function compareOnce(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
    case '===':
      return pyEq(a, b);
    case '!=':
    case '!==':
      return !pyEq(a, b);
    default: {
      if (a === null || a === undefined || b === null || b === undefined) {
        throw new TemplateValueError(
          `TypeError: '${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
        );
      }
      const c = isDateLike(a) && isDateLike(b) ? Number(a.valueOf()) - Number(b.valueOf()) : pyCompare(a, b);
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
  }
}

/** Python comparison chains: `a < b < c` is `a < b and b < c`. */
function compare(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const right = rest[i + 1];
    if (!compareOnce(left, rest[i] as string, right)) return false;
    left = right;
  }
  return true;
}

/** Iterating a dict yields its keys, as in Python. */
function iter(value: unknown): unknown {
  if (isPlainObject(value)) return Object.keys(value).filter((k) => k !== '__keywords');
  if (isSafeString(value)) return value.val;
  return value;
}

function setAttr(obj: unknown, key: unknown, value: unknown, lineno: number): void {
  if (typeof obj !== 'object' || obj === null) {
    throw located(`cannot assign attribute '${String(key)}' on ${typeName(obj)}`, lineno);
  }
  (obj as Record<string, unknown>)[String(key)] = value;
}

function unpack(value: unknown, n: number, lineno: number): unknown[] {
  const list = toList(value);
  if (list.length !== n) {
    throw located(
      list.length > n
        ? `ValueError: too many values to unpack (expected ${n})`
        : `ValueError: not enough values to unpack (expected ${n}, got ${list.length})`,
      lineno,
    );
  }
  return list;
}

function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function') {
    const what = name.replace(/\["([^"]*)"\]/g, '.$1');
    throw new TemplateValueError(
      fn === undefined || fn === null
        ? `'${what}' is undefined`
        : `'${what}' is not callable (it is a ${typeName(fn)})`,
    );
  }
  return (fn as (...a: unknown[]) => unknown).apply(context, args);
}

function makeMacro(
  argNames: string[],
  kwargNames: string[],
  func: (...args: unknown[]) => unknown,
  isCaller: boolean,
): unknown {
  const macro = nj.runtime.makeMacro(argNames, kwargNames, func) as (...args: unknown[]) => unknown;
  if (isCaller) return macro;
  return function (this: unknown, ...args: unknown[]) {
    try {
      return macro.apply(this, args);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      throw e;
    }
  };
}

function toTraced(e: unknown): TracedError {
  if (e instanceof Error) return e as TracedError;
  return new TemplateValueError(String(e)) as TracedError;
}

/** Called by every macro that raises: records the macro, its file and the line in it. */
function inMacro(e: unknown, name: string, context: RuntimeContext, lineno: number): unknown {
  if (e instanceof ReturnSignal) return e;
  const err = toTraced(e);
  const line = err.qdbtLine ?? lineno + 1;
  (err.qdbtTrace ??= []).push({ macro: name, file: context.file, line });
  err.qdbtLine = undefined;
  err.qdbtColumn = undefined;
  return err;
}

function handleError(e: unknown, lineno: number): unknown {
  if (e instanceof ReturnSignal) {
    return located('return() can only be used inside a macro', lineno);
  }
  const err = toTraced(e);
  if (err.qdbtLine === undefined) err.qdbtLine = lineno + 1;
  return err;
}

export const qdbtRuntime: Record<string, unknown> = Object.assign(Object.create(nj.runtime) as object, {
  lookup,
  softLookup,
  attr,
  item,
  slice,
  memberLookup: item,
  contextOrFrameLookup: softLookup,
  out,
  truthy,
  or,
  and,
  add,
  sub,
  mul,
  mod,
  div,
  floordiv,
  concat,
  compare,
  iter,
  setAttr,
  unpack,
  callWrap,
  makeMacro,
  inMacro,
  handleError,
  isKeywords,
});

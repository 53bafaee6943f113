/**
 * The filters and tests Jinja has and nunjucks lacks (or has with other semantics), plus dbt's
 * `as_bool`/`as_number`/`as_text`/`as_native`. Registered on the one nunjucks Environment the
 * engines share (filters hold no state).
 */
import { bindArgs, splitArgs } from './args.js';
import { nj, isSafeString, type NunjucksEnv } from './nj.js';
import {
  TemplateValueError,
  asString,
  isPlainObject,
  isStringLike,
  pyCompare,
  pyEq,
  pyJson,
  pyPercent,
  pyStr,
  toList,
  truthy,
} from './python.js';

type Fn = (...args: unknown[]) => unknown;

function getAttribute(value: unknown, attribute: unknown): unknown {
  let v = value;
  for (const part of String(attribute).split('.')) {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v) && /^\d+$/.test(part)) v = v[Number(part)];
    else v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function toInt(value: unknown, fallback: unknown, base: number): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  const s = asString(value ?? '').trim();
  if (base === 10) {
    const n = Number(s);
    if (s !== '' && Number.isFinite(n)) return Math.trunc(n);
    return fallback;
  }
  const n = parseInt(s, base);
  return Number.isNaN(n) ? fallback : n;
}

function testFn(env: NunjucksEnv, args: unknown[]): (item: unknown) => boolean {
  if (args.length === 0) return truthy;
  const test = env.getTest(String(args[0]));
  const rest = args.slice(1);
  return (item) => test(item, ...rest) === true;
}

export function installFilters(env: NunjucksEnv): void {
  const filters: Record<string, Fn> = {
    tojson: (...args) => {
      const { value, indent, sort_keys } = bindArgs(args, ['value', 'indent', 'sort_keys'], {
        sort_keys: true,
      });
      return pyJson(value, {
        indent: indent as number | null | undefined,
        sortKeys: truthy(sort_keys),
        htmlSafe: true,
      });
    },
    items: (value) => {
      if (value === undefined || value === null) return [];
      if (!isPlainObject(value)) throw new TemplateValueError('items filter expects a mapping');
      return Object.keys(value)
        .filter((k) => k !== '__keywords')
        .map((k) => [k, value[k]]);
    },
    map: function (this: unknown, ...args: unknown[]) {
      const { positional, keywords } = splitArgs(args);
      const list = toList(positional[0]);
      if ('attribute' in keywords) {
        return list.map((x) => {
          const v = getAttribute(x, keywords.attribute);
          return v === undefined && 'default' in keywords ? keywords.default : v;
        });
      }
      if (positional.length < 2) throw new TemplateValueError('map filter needs a filter name or attribute=');
      const filter = env.getFilter(String(positional[1]));
      const rest = positional.slice(2);
      return list.map((x) => filter.call(this, x, ...rest));
    },
    unique: (...args) => {
      const { value, case_sensitive, attribute } = bindArgs(args, ['value', 'case_sensitive', 'attribute'], {
        case_sensitive: false,
      });
      const seen = new Set<unknown>();
      const out: unknown[] = [];
      for (const x of toList(value)) {
        let key = attribute === undefined || attribute === null ? x : getAttribute(x, attribute);
        if (isSafeString(key)) key = key.val;
        if (!truthy(case_sensitive) && typeof key === 'string') key = key.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(x);
      }
      return out;
    },
    format: (...args) => {
      const { positional, keywords } = splitArgs(args);
      const values = Object.keys(keywords).length ? keywords : positional.slice(1);
      return pyPercent(asString(positional[0]), values);
    },
    list: (value) => (Array.isArray(value) ? value.slice() : toList(value).slice()),
    string: (value) => (value === undefined ? '' : pyStr(value)),
    int: (...args) => {
      const {
        value,
        default: fallback,
        base,
      } = bindArgs(args, ['value', 'default', 'base'], { default: 0, base: 10 });
      return toInt(value, fallback, Number(base));
    },
    float: (...args) => {
      const { value, default: fallback } = bindArgs(args, ['value', 'default'], { default: 0 });
      if (typeof value === 'boolean') return value ? 1 : 0;
      const n = typeof value === 'number' ? value : Number(asString(value ?? '').trim() || NaN);
      return Number.isNaN(n) ? fallback : n;
    },
    bool: (value) => {
      if (isStringLike(value)) {
        const s = asString(value).trim().toLowerCase();
        if (['true', 'yes', 'on', '1', 'y', 't'].includes(s)) return true;
        if (['false', 'no', 'off', '0', 'n', 'f', ''].includes(s)) return false;
      }
      return truthy(value);
    },
    as_bool: (value) => filters.bool!(value),
    as_number: (value) => (typeof value === 'number' ? value : Number(asString(value))),
    as_text: (value) => (value === undefined ? '' : pyStr(value)),
    as_native: (value) => value,
    attr: (obj, name) =>
      obj === null || obj === undefined ? undefined : (obj as Record<string, unknown>)[String(name)],
    min: (...args) => extreme(args, -1),
    max: (...args) => extreme(args, 1),
    selectattr: (...args) => {
      const [value, attribute, ...rest] = splitArgs(args).positional;
      const test = testFn(env, rest);
      return toList(value).filter((x) => test(getAttribute(x, attribute)));
    },
    rejectattr: (...args) => {
      const [value, attribute, ...rest] = splitArgs(args).positional;
      const test = testFn(env, rest);
      return toList(value).filter((x) => !test(getAttribute(x, attribute)));
    },
    select: (...args) => {
      const [value, ...rest] = splitArgs(args).positional;
      return toList(value).filter(testFn(env, rest));
    },
    reject: (...args) => {
      const [value, ...rest] = splitArgs(args).positional;
      const test = testFn(env, rest);
      return toList(value).filter((x) => !test(x));
    },
    join: (...args) => {
      const { value, d, attribute } = bindArgs(args, ['value', 'd', 'attribute'], { d: '' });
      let list = toList(value);
      if (attribute !== undefined && attribute !== null) list = list.map((x) => getAttribute(x, attribute));
      return list.map((x) => pyStr(x)).join(asString(d));
    },
    length: (value) =>
      isPlainObject(value)
        ? Object.keys(value).filter((k) => k !== '__keywords').length
        : toList(value).length,
    count: (value) => filters.length!(value),
    default: (...args) => {
      const { value, default_value, boolean } = bindArgs(args, ['value', 'default_value', 'boolean'], {
        default_value: '',
        boolean: false,
      });
      if (value === undefined || (truthy(boolean) && !truthy(value))) return default_value;
      return value;
    },
    lower: (value) => pyStr(value).toLowerCase(),
    upper: (value) => pyStr(value).toUpperCase(),
    trim: (...args) => {
      const [value, chars] = splitArgs(args).positional;
      const s = pyStr(value);
      if (chars === undefined || chars === null) return s.trim();
      const set = asString(chars);
      let a = 0;
      let b = s.length;
      while (a < b && set.includes(s[a]!)) a++;
      while (b > a && set.includes(s[b - 1]!)) b--;
      return s.slice(a, b);
    },
    sort: (...args) => {
      const { value, reverse, case_sensitive, attribute } = bindArgs(
        args,
        ['value', 'reverse', 'case_sensitive', 'attribute'],
        {
          reverse: false,
          case_sensitive: false,
        },
      );
      const key = (x: unknown): unknown => {
        let v = attribute === undefined || attribute === null ? x : getAttribute(x, attribute);
        if (isSafeString(v)) v = v.val;
        return !truthy(case_sensitive) && typeof v === 'string' ? v.toLowerCase() : v;
      };
      const out = toList(value)
        .slice()
        .sort((a, b) => pyCompare(key(a), key(b)));
      return truthy(reverse) ? out.reverse() : out;
    },
    reverse: (value) =>
      isStringLike(value) ? [...asString(value)].reverse().join('') : toList(value).slice().reverse(),
    first: (value) => toList(value)[0],
    last: (value) => {
      const l = toList(value);
      return l[l.length - 1];
    },
    sum: (...args) => {
      const { value, attribute, start } = bindArgs(args, ['value', 'attribute', 'start'], { start: 0 });
      let list = toList(value);
      if (attribute !== undefined && attribute !== null) list = list.map((x) => getAttribute(x, attribute));
      return list.reduce<number>((a, b) => a + Number(b), Number(start));
    },
  };
  for (const [name, fn] of Object.entries(filters)) env.addFilter(name, fn);
  env.addFilter('d', filters.default!);

  const tests: Record<string, Fn> = {
    none: (v) => v === null,
    defined: (v) => v !== undefined,
    undefined: (v) => v === undefined,
    boolean: (v) => typeof v === 'boolean',
    true: (v) => v === true,
    false: (v) => v === false,
    integer: (v) => typeof v === 'number' && Number.isInteger(v),
    float: (v) => typeof v === 'number' && !Number.isInteger(v),
    number: (v) => typeof v === 'number',
    string: (v) => isStringLike(v),
    mapping: (v) => isPlainObject(v),
    sequence: (v) => Array.isArray(v) || isStringLike(v) || isPlainObject(v),
    iterable: (v) =>
      Array.isArray(v) ||
      isStringLike(v) ||
      isPlainObject(v) ||
      (typeof v === 'object' && v !== null && Symbol.iterator in v),
    callable: (v) => typeof v === 'function',
    in: (v, container) => {
      if (isStringLike(container)) return asString(container).includes(asString(v));
      if (isPlainObject(container)) return Object.prototype.hasOwnProperty.call(container, asString(v));
      return toList(container).some((x) => pyEq(x, v));
    },
    eq: (a, b) => pyEq(a, b),
    equalto: (a, b) => pyEq(a, b),
    '==': (a, b) => pyEq(a, b),
    ne: (a, b) => !pyEq(a, b),
    '!=': (a, b) => !pyEq(a, b),
    sameas: (a, b) => a === b,
    lower: (v) => isStringLike(v) && asString(v) === asString(v).toLowerCase(),
    upper: (v) => isStringLike(v) && asString(v) === asString(v).toUpperCase(),
    filter: (v) => typeof v === 'string' && v in env.filters,
    test: (v) => typeof v === 'string' && v in env.tests,
  };
  for (const [name, fn] of Object.entries(tests)) env.addTest(name, fn);
}

function extreme(args: unknown[], sign: 1 | -1): unknown {
  const { value, case_sensitive, attribute } = bindArgs(args, ['value', 'case_sensitive', 'attribute'], {
    case_sensitive: false,
  });
  const key = (x: unknown): unknown => {
    let v = attribute === undefined || attribute === null ? x : getAttribute(x, attribute);
    if (isSafeString(v)) v = v.val;
    return !truthy(case_sensitive) && typeof v === 'string' ? v.toLowerCase() : v;
  };
  const list = toList(value);
  if (!list.length) return undefined;
  return list.reduce((best, x) => (pyCompare(key(x), key(best)) * sign > 0 ? x : best));
}

let shared: NunjucksEnv | undefined;

/** The nunjucks Environment every engine renders with: autoescape off, our filters and tests. */
export function sharedEnvironment(): NunjucksEnv {
  if (!shared) {
    shared = new nj.Environment(undefined, {
      autoescape: false,
      throwOnUndefined: true,
      trimBlocks: false,
      lstripBlocks: false,
    });
    installFilters(shared);
  }
  return shared;
}

/**
 * The names every template sees, whatever node it renders: dbt's base context (`var`, `env_var`,
 * `target`, `run_started_at`, `invocation_id`, `log`, `exceptions`, `return`, `modules`, ...) and the
 * Jinja globals (`range`, `dict`, `namespace`, `zip`, ...).
 */
import { createHash } from 'node:crypto';
import { VarScope } from '../config/vars.js';
import { yamlLibrary } from '../config/yaml/library.js';
import { QdbtError } from '../errors.js';
import { bindArgs, splitArgs } from './args.js';
import { createDatetimeModule, pyDatetimeFrom } from './datetime.js';
import { createTemplateEngine, type TemplateEngine } from './engine.js';
import { TemplateValueError, asString, pyJson, pyStr, toList, truthy } from './python.js';
import { ReturnSignal } from './runtime.js';

export interface BaseContextOptions {
  /** project.yml vars with --vars over them. */
  vars: Record<string, unknown>;
  /** Vars scoped under this name in project.yml (`vars: {my_project: {...}}`) apply over global ones. */
  projectName?: string;
  /** --vars alone, to put them over the project-scoped vars. */
  cliVars?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  target: Record<string, unknown>;
  invocationId: string;
  runStartedAt: Date;
  log?: (message: string, info: boolean) => void;
}

function templateError(message: string, hint?: string): QdbtError {
  return new QdbtError('template', message, { hint });
}

function range(...args: unknown[]): number[] {
  const nums = splitArgs(args).positional.map(Number);
  const [first, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  let start = first;
  if (step === 0) throw new TemplateValueError('ValueError: range() arg 3 must not be zero');
  const out: number[] = [];
  if (step > 0) for (; start < stop; start += step) out.push(start);
  else for (; start > stop; start += step) out.push(start);
  if (out.length > 100_000) throw new TemplateValueError('range() too large');
  return out;
}

function zipLists(strict: boolean, args: unknown[]): unknown[][] {
  const lists = splitArgs(args).positional.map(toList);
  if (!lists.length) return [];
  const lengths = lists.map((l) => l.length);
  if (strict && new Set(lengths).size > 1)
    throw templateError('zip_strict: the arguments have different lengths');
  const n = Math.min(...lengths);
  return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
}

function regexOf(pattern: unknown, flags: unknown): RegExp {
  const f = Number(flags ?? 0);
  let js = 'g';
  if (f & 2) js += 'i';
  if (f & 8) js += 'm';
  if (f & 16) js += 's';
  const source = asString(pattern instanceof RegExp ? pattern.source : pattern)
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  return new RegExp(source, js);
}

class PyMatch {
  constructor(private readonly m: RegExpExecArray) {}
  group(...args: unknown[]): unknown {
    const ids = splitArgs(args).positional;
    const one = (id: unknown): unknown =>
      typeof id === 'string' ? (this.m.groups?.[id] ?? null) : (this.m[Number(id ?? 0)] ?? null);
    return ids.length <= 1 ? one(ids[0]) : ids.map(one);
  }
  groups(): unknown[] {
    return this.m.slice(1).map((g) => g ?? null);
  }
  groupdict(): Record<string, unknown> {
    return { ...(this.m.groups ?? {}) };
  }
  start(): number {
    return this.m.index;
  }
  end(): number {
    return this.m.index + this.m[0].length;
  }
  toString(): string {
    return `<re.Match object; match='${this.m[0]}'>`;
  }
}

function reModule(): Record<string, unknown> {
  const search = (pattern: unknown, text: unknown, flags?: unknown): PyMatch | null => {
    const m = regexOf(pattern, flags).exec(asString(text));
    return m ? new PyMatch(m) : null;
  };
  return {
    I: 2,
    IGNORECASE: 2,
    M: 8,
    MULTILINE: 8,
    S: 16,
    DOTALL: 16,
    search: (...a: unknown[]) => {
      const { pattern, string, flags } = bindArgs(a, ['pattern', 'string', 'flags']);
      return search(pattern, string, flags);
    },
    match: (...a: unknown[]) => {
      const { pattern, string, flags } = bindArgs(a, ['pattern', 'string', 'flags']);
      const re = regexOf(pattern, flags);
      re.lastIndex = 0;
      const m = new RegExp(`^(?:${re.source})`, re.flags).exec(asString(string));
      return m ? new PyMatch(m) : null;
    },
    fullmatch: (...a: unknown[]) => {
      const { pattern, string, flags } = bindArgs(a, ['pattern', 'string', 'flags']);
      const re = regexOf(pattern, flags);
      const m = new RegExp(`^(?:${re.source})$`, re.flags).exec(asString(string));
      return m ? new PyMatch(m) : null;
    },
    findall: (...a: unknown[]) => {
      const { pattern, string, flags } = bindArgs(a, ['pattern', 'string', 'flags']);
      return [...asString(string).matchAll(regexOf(pattern, flags))].map((m) =>
        m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : m.slice(1).map((g) => g ?? ''),
      );
    },
    sub: (...a: unknown[]) => {
      const { pattern, repl, string, count, flags } = bindArgs(
        a,
        ['pattern', 'repl', 'string', 'count', 'flags'],
        {
          count: 0,
        },
      );
      const re = regexOf(pattern, flags);
      const replacement = asString(repl)
        .replace(/\$/g, '$$$$')
        .replace(/\\g<(\w+)>/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
        .replace(/\\(\d+)/g, '$$$1');
      let n = Number(count);
      if (n <= 0) return asString(string).replace(re, replacement);
      return asString(string).replace(re, (...m: unknown[]) =>
        n-- > 0
          ? asString(m[0]).replace(new RegExp(re.source, re.flags.replace('g', '')), replacement)
          : asString(m[0]),
      );
    },
    split: (...a: unknown[]) => {
      const { pattern, string, flags } = bindArgs(a, ['pattern', 'string', 'maxsplit', 'flags']);
      return asString(string).split(regexOf(pattern, flags));
    },
    escape: (text: unknown) => asString(text).replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'),
    compile: (...a: unknown[]) => {
      const { pattern, flags } = bindArgs(a, ['pattern', 'flags']);
      return regexOf(pattern, flags);
    },
  };
}

/** The base context: the values and functions every model, macro and test sees. */
export function createBaseContext(o: BaseContextOptions): Record<string, unknown> {
  const env = o.env ?? process.env;
  const log = o.log ?? (() => {});
  // A var's value holding Jinja is rendered with this context (env_var(), other vars, target, ...).
  let varEngine: TemplateEngine | undefined;
  const vars = new VarScope({
    vars: o.vars,
    projectName: o.projectName,
    cliVars: o.cliVars,
    render: (text, name) =>
      (varEngine ??= createTemplateEngine({ macroFiles: [], baseContext: context })).render(
        `var '${name}'`,
        text,
        {},
      ).sql,
  });

  const varFn = Object.assign(
    (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      const name = asString(positional[0]);
      const value = vars.get(name);
      if (value !== undefined) return value;
      if (positional.length > 1) return positional[1];
      throw templateError(
        `Required var '${name}' not found`,
        `Set it in project.yml under \`vars:\` or pass it on the command line: --vars '{${name}: value}'`,
      );
    },
    { has_var: (name: unknown) => vars.has(asString(name)) },
  );

  const envVar = (...args: unknown[]) => {
    const { positional } = splitArgs(args);
    const name = asString(positional[0]);
    const value = env[name];
    if (value !== undefined) return value;
    if (positional.length > 1) return positional[1];
    throw templateError(
      `Env var required but not provided: '${name}'`,
      `Set ${name} in the environment, or give env_var() a default: env_var('${name}', 'value')`,
    );
  };

  const logFn = (...args: unknown[]) => {
    const { msg, info } = bindArgs(args, ['msg', 'info'], { info: false });
    log(pyStr(msg), truthy(info));
    return '';
  };

  const exceptions = {
    raise_compiler_error: (...args: unknown[]) => {
      const { msg } = bindArgs(args, ['msg']);
      throw templateError(pyStr(msg));
    },
    raise_not_implemented: (...args: unknown[]) => {
      const { msg } = bindArgs(args, ['msg']);
      throw templateError(`Not implemented: ${pyStr(msg)}`);
    },
    warn: (...args: unknown[]) => {
      const { msg } = bindArgs(args, ['msg']);
      log(`Warning: ${pyStr(msg)}`, true);
      return '';
    },
  };

  const namespace = (...args: unknown[]) => {
    const { positional, keywords } = splitArgs(args);
    const ns: Record<string, unknown> = {};
    for (const p of positional) if (p && typeof p === 'object') Object.assign(ns, p);
    return Object.assign(ns, keywords);
  };

  const context: Record<string, unknown> = {
    var: varFn,
    env_var: envVar,
    target: o.target,
    run_started_at: pyDatetimeFrom(o.runStartedAt),
    invocation_id: o.invocationId,
    log: logFn,
    print: (...args: unknown[]) => {
      log(pyStr(splitArgs(args).positional[0]), true);
      return '';
    },
    exceptions,
    return: (...args: unknown[]) => {
      throw new ReturnSignal(splitArgs(args).positional[0] ?? null);
    },
    namespace,
    dict: (...args: unknown[]) => namespace(...args),
    range,
    zip: (...args: unknown[]) => zipLists(false, args),
    zip_strict: (...args: unknown[]) => zipLists(true, args),
    set: (...args: unknown[]) => {
      const seen: unknown[] = [];
      for (const x of toList(splitArgs(args).positional[0])) if (!seen.includes(x)) seen.push(x);
      return seen;
    },
    tojson: (...args: unknown[]) => {
      const { value, sort_keys } = bindArgs(args, ['value', 'default', 'sort_keys'], { sort_keys: false });
      return pyJson(value, { sortKeys: truthy(sort_keys) });
    },
    fromjson: (...args: unknown[]) => {
      const { string, default: fallback } = bindArgs(args, ['string', 'default'], { default: null });
      try {
        return JSON.parse(asString(string)) as unknown;
      } catch {
        return fallback;
      }
    },
    toyaml: (...args: unknown[]) => {
      const { value, sort_keys } = bindArgs(args, ['value', 'default', 'sort_keys'], { sort_keys: false });
      return yamlLibrary().stringify(value, { sortMapEntries: truthy(sort_keys) });
    },
    fromyaml: (...args: unknown[]) => {
      const { value, default: fallback } = bindArgs(args, ['value', 'default'], { default: null });
      try {
        return yamlLibrary().parse(asString(value)) as unknown;
      } catch {
        return fallback;
      }
    },
    local_md5: (value: unknown) => createHash('md5').update(asString(value)).digest('hex'),
    modules: {
      datetime: createDatetimeModule(),
      re: reModule(),
    },
  };
  return context;
}

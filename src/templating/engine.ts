/**
 * The template engine: renders project files (models, tests, analyses, hooks) with the project's
 * macros available everywhere, as dbt does.
 *
 * Macro files are compiled and run once per engine. Their macros read names through the "current
 * render" (`this.current`), so inside a macro `ref`, `this`, `config`, `model` and `is_incremental`
 * are the ones of the node being rendered. Renders are synchronous, so one current render at a time
 * (saved and restored around nested renders) is enough.
 */
import { QdbtError, type SourceLocation } from '../errors.js';
import { makeKeywords } from './args.js';
import {
  compileTemplate,
  instantiateTemplate,
  syntaxErrorInfo,
  type CompiledTemplate,
  type ParsedMacro,
} from './compile.js';
import { sharedEnvironment } from './filters.js';
import { nj, isSafeString, type NunjucksEnv } from './nj.js';
import { pyStr } from './python.js';
import { ReturnSignal, qdbtRuntime, type RuntimeContext, type TracedError } from './runtime.js';
import { simpleTemplate } from './simpleTemplate.js';
import type { TemplateTranslator } from './translateAhead.js';

export interface MacroFile {
  path: string;
  source: string;
}
export interface RenderResult {
  sql: string;
  macrosCalled: string[];
}
export interface MacroInfo {
  name: string;
  file: string;
  line: number;
  args: string[];
  source: string;
}
export interface GenericTestInfo {
  name: string;
  file: string;
  line: number;
  params: string[];
}
export interface TemplateEngine {
  /** Render one project file with `context` merged over the base context. Throws QdbtError with location {file, line}. */
  render(file: string, source: string, context: Record<string, unknown>): RenderResult;
  /** Call a project macro by name. Returns its return() value if it used return(), else its rendered text trimmed. */
  callMacro(
    name: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
    context: Record<string, unknown>,
  ): unknown;
  hasMacro(name: string): boolean;
  macros(): MacroInfo[];
  /** `{% test name(model, column_name, ...) %}` blocks found in the macro files. */
  genericTests(): Map<string, GenericTestInfo>;
  /** Render a generic test's SQL; kwargs include model (a relation) and column_name. */
  renderGenericTest(name: string, kwargs: Record<string, unknown>, context: Record<string, unknown>): string;
}

type Fn = (...args: unknown[]) => unknown;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Name resolution for one render: the node's context, then project macros, then the base context. */
class Scope {
  readonly called = new Set<string>();
  constructor(
    readonly render: Record<string, unknown>,
    readonly macros: Map<string, Fn>,
    readonly base: Record<string, unknown>,
  ) {}
  lookup(name: string): unknown {
    if (hasOwn(this.render, name)) return this.render[name];
    const macro = this.macros.get(name);
    if (macro) return macro;
    return hasOwn(this.base, name) ? this.base[name] : undefined;
  }
  names(): string[] {
    return [...Object.keys(this.render), ...this.macros.keys(), ...Object.keys(this.base)];
  }
}

/** The `context` argument of compiled code: top-level `{% set %}` variables of one file, then the scope. */
class FileContext implements RuntimeContext {
  readonly ctx: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  readonly exported: string[] = [];
  constructor(
    readonly file: string,
    readonly env: NunjucksEnv,
    private readonly scope: () => Scope | null,
  ) {}
  lookup(name: string): unknown {
    const own = this.ctx[name];
    if (own !== undefined) return own;
    return this.scope()?.lookup(name);
  }
  names(): string[] {
    return [...Object.keys(this.ctx), ...(this.scope()?.names() ?? [])];
  }
  setVariable(name: string, value: unknown): void {
    this.ctx[name] = value;
  }
  getVariables(): Record<string, unknown> {
    return this.ctx;
  }
  addExport(name: string): void {
    this.exported.push(name);
  }
  getExported(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.exported) out[name] = this.ctx[name];
    return out;
  }
}

function located(err: unknown, fallback: SourceLocation): QdbtError {
  const e = err as TracedError;
  const trace = e.qdbtTrace ?? [];
  const line = e.qdbtLine ?? (trace.length ? undefined : fallback.line);
  const location: SourceLocation =
    line !== undefined
      ? { file: fallback.file, line, ...(e.qdbtColumn ? { column: e.qdbtColumn } : {}) }
      : { ...fallback };
  let message = err instanceof Error ? err.message : String(err);
  for (const [i, t] of trace.entries()) {
    message += `\n  > ${i === 0 ? 'in' : 'called from'} macro '${t.macro}' (${t.file}:${t.line})`;
  }
  const kind = err instanceof QdbtError ? err.kind : 'template';
  const hint = err instanceof QdbtError ? err.hint : e.qdbtHint;
  return new QdbtError(kind, message, { location, hint, cause: err });
}

function syntaxError(err: unknown, file: string, source: string): QdbtError {
  const info = syntaxErrorInfo(err);
  // nunjucks reports an unclosed block at the end of the file without a line.
  if (info.line === undefined && /end of file/.test(info.message)) {
    info.line = source.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n').length;
    info.message += ': a {% if %}, {% for %}, {% macro %} or other block is not closed';
  }
  const message = info.message
    .replace(/^\(unknown path\)\s*/, '')
    .replace(/\s*\[Line \d+, Column \d+\]\s*/, '');
  return new QdbtError('template', `Template syntax error: ${message.trim()}`, {
    location: {
      file,
      ...(info.line ? { line: info.line } : {}),
      ...(info.column ? { column: info.column } : {}),
    },
  });
}

const MAX_CACHE = 50_000;
/** Compiled templates by source text, shared by all engines of the process (compiling is the slow part). */
const templateCache = new Map<string, CompiledTemplate>();

function compileCached(
  source: string,
  file: string,
  translator?: TemplateTranslator | null,
): CompiledTemplate {
  let compiled = templateCache.get(source);
  if (!compiled) {
    try {
      compiled = simpleTemplate(source, file) ?? undefined;
      if (!compiled) {
        const translated = translator?.take(source);
        compiled = translated ? instantiateTemplate(translated) : compileTemplate(source, file);
      }
    } catch (err) {
      throw syntaxError(err, file, source);
    }
    cacheTemplate(source, compiled);
  }
  return compiled;
}

function cacheTemplate(source: string, compiled: CompiledTemplate): void {
  if (templateCache.size >= MAX_CACHE) templateCache.clear();
  templateCache.set(source, compiled);
}

/**
 * Readies a template that needs no nunjucks (see simpleTemplate.ts). False when the template is yet
 * to be compiled by nunjucks: worth translating ahead.
 */
export function prepareSimpleTemplate(source: string, file: string): boolean {
  if (templateCache.has(source)) return true;
  const compiled = simpleTemplate(source, file);
  if (compiled) cacheTemplate(source, compiled);
  return compiled !== null;
}

class Engine implements TemplateEngine {
  private current: Scope | null = null;
  private readonly env = sharedEnvironment();
  private readonly macroFns = new Map<string, Fn>();
  private readonly macroInfos: MacroInfo[] = [];
  private readonly tests = new Map<string, GenericTestInfo>();
  private readonly baseContext: Record<string, unknown>;
  private readonly translator: TemplateTranslator | null;

  constructor(
    macroFiles: MacroFile[],
    baseContext: Record<string, unknown>,
    translator: TemplateTranslator | null,
  ) {
    this.baseContext = baseContext;
    this.translator = translator;
    const seen = new Map<string, MacroInfo>();
    const compiled = macroFiles.map((f) => ({ file: f, template: compileCached(f.source, f.path) }));
    for (const { file, template } of compiled) {
      for (const m of template.macros) {
        const previous = seen.get(m.name);
        if (previous) {
          throw new QdbtError(
            'project',
            `Macro '${m.name}' is defined twice: in ${previous.file}:${previous.line} and ${file.path}:${m.line}`,
            {
              location: { file: file.path, line: m.line },
              hint: 'Macro names are global to the project: rename or remove one of them.',
            },
          );
        }
        const info = macroInfo(file, m);
        seen.set(m.name, info);
        this.macroInfos.push(info);
        if (m.isTest) {
          const name = m.name.slice('test_'.length);
          this.tests.set(name, { name, file: file.path, line: m.line, params: m.args });
        }
      }
    }
    for (const { file, template } of compiled) this.loadMacroFile(file, template);
  }

  private loadMacroFile(file: MacroFile, template: CompiledTemplate): void {
    const context = new FileContext(file.path, this.env, () => this.current);
    this.run(template, context, new Scope({}, this.macroFns, this.baseContext), { file: file.path });
    for (const m of template.macros) {
      const fn = context.ctx[m.name] as Fn;
      // Later lookups must find the recording wrapper below, not the file's own binding.
      delete context.ctx[m.name];
      const record = (): void => void this.current?.called.add(m.name);
      this.macroFns.set(m.name, function (this: unknown, ...args: unknown[]) {
        record();
        return fn.apply(this, args);
      });
    }
  }

  private run(template: CompiledTemplate, context: FileContext, scope: Scope, where: SourceLocation): string {
    const previous = this.current;
    this.current = scope;
    let error: unknown;
    let result = '';
    try {
      const frame = new nj.runtime.Frame();
      frame.topLevel = true;
      template.root(this.env, context, frame, qdbtRuntime, (err, res) => {
        error = err;
        result = res ?? '';
      });
    } catch (err) {
      error = err;
    } finally {
      this.current = previous;
    }
    if (error) throw located(error, where);
    return result;
  }

  render(file: string, source: string, context: Record<string, unknown>): RenderResult {
    const template = compileCached(source, file, this.translator);
    const scope = new Scope(context, this.macroFns, this.baseContext);
    const sql = this.run(template, new FileContext(file, this.env, () => this.current), scope, { file });
    return { sql, macrosCalled: [...scope.called] };
  }

  callMacro(
    name: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
    context: Record<string, unknown>,
  ): unknown {
    const fn = this.macroFns.get(name);
    const info = this.macroInfos.find((m) => m.name === name);
    if (!fn || !info) {
      throw new QdbtError('template', `Macro '${name}' not found`, {
        hint: 'Macros are read from the macros/ folder of the project.',
      });
    }
    const previous = this.current;
    this.current = new Scope(context, this.macroFns, this.baseContext);
    try {
      const value = fn.call(undefined, ...args, makeKeywords(kwargs));
      if (isSafeString(value)) return value.val.trim();
      return typeof value === 'string' ? value.trim() : value;
    } catch (err) {
      if (err instanceof ReturnSignal) return err.value;
      const trace = (err as TracedError).qdbtTrace;
      const inner = trace?.[0];
      throw located(
        err,
        inner ? { file: inner.file, line: inner.line } : { file: info.file, line: info.line },
      );
    } finally {
      this.current = previous;
    }
  }

  hasMacro(name: string): boolean {
    return this.macroFns.has(name);
  }

  macros(): MacroInfo[] {
    return this.macroInfos.slice();
  }

  genericTests(): Map<string, GenericTestInfo> {
    return new Map(this.tests);
  }

  renderGenericTest(name: string, kwargs: Record<string, unknown>, context: Record<string, unknown>): string {
    if (!this.tests.has(name)) {
      throw new QdbtError('template', `Generic test '${name}' not found`, {
        hint: 'Define it in macros/ with {% test ' + name + '(model, column_name) %} ... {% endtest %}.',
      });
    }
    const value = this.callMacro(`test_${name}`, [], kwargs, context);
    return typeof value === 'string' ? value : pyStr(value);
  }
}

function macroInfo(file: MacroFile, m: ParsedMacro): MacroInfo {
  const source = file.source.includes('\r') ? file.source.replace(/\r\n?/g, '\n') : file.source;
  return { name: m.name, file: file.path, line: m.line, args: m.args, source: source.slice(m.start, m.end) };
}

export function createTemplateEngine(options: {
  macroFiles: MacroFile[];
  baseContext: Record<string, unknown>;
  /** Translations made ahead on another thread, taken as templates are first rendered. */
  translator?: TemplateTranslator | null;
}): TemplateEngine {
  return new Engine(options.macroFiles, options.baseContext, options.translator ?? null);
}

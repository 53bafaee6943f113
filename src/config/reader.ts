/**
 * Helpers that validators use to read the positioned YAML tree: type checks and unknown-key
 * checks that collect errors naming file:line:col and the allowed values.
 */
import { closestNames, projectError, QdbtErrors, type QdbtError } from '../errors.js';
import { renderEnvVars, type Env } from './envVar.js';
import type { Located } from './types.js';
import { describeKind, setKey, toJS, type YMap, type YNode, type YPos, type YScalar } from './yaml/ast.js';

export class Reader {
  readonly errors: QdbtError[] = [];
  /** Renders `{{ env_var() }}` in string scalars (profiles.yml, project.yml); absent for property YAML. */
  readonly render?: (value: string, at: YPos) => unknown;

  constructor(
    readonly file: string,
    env?: Env,
  ) {
    if (env) this.render = (value, at) => renderEnvVars(value, env, (p) => this.error(at, p.message, p.hint));
  }

  error(at: YPos, message: string, hint?: string): void {
    this.errors.push(projectError(message, { file: this.file, line: at.line, column: at.col }, hint));
  }

  located(at: YPos): Located<null> {
    return { value: null, file: this.file, line: at.line, column: at.col };
  }

  /** Throws the collected errors, if any. */
  done(): void {
    if (this.errors.length === 1) throw this.errors[0]!;
    if (this.errors.length > 1) throw new QdbtErrors(this.errors);
  }

  /** A mapping, or an error (and null) when `node` is something else. */
  map(node: YNode, what: string): YMap | null {
    if (node.kind === 'map') return node;
    this.error(node, `${what} must be a mapping, not ${describeKind(node)}`);
    return null;
  }

  /** A mapping or null/absent (an empty `key:`). */
  optMap(node: YNode, what: string): YMap | null {
    if (node.kind === 'scalar' && node.value === null) return null;
    return this.map(node, what);
  }

  /** Reports every key of `map` not in `allowed`, with the closest names. */
  unknownKey(key: YPos & { name: string }, what: string, allowed: readonly string[]): void {
    this.error(key, `unknown key '${key.name}' in ${what}`, allowedHint(key.name, allowed));
  }

  /** A scalar's rendered value. */
  scalar(node: YScalar): unknown {
    const v = node.value;
    if (typeof v === 'string' && this.render && v.indexOf('{{') >= 0) return this.render(v, node);
    return v;
  }

  /** A string (numbers are accepted and turned into strings when `loose`). */
  str(node: YNode, what: string, loose = false): string | undefined {
    if (node.kind === 'scalar') {
      const v = this.scalar(node);
      if (typeof v === 'string') return v;
      if (loose && (typeof v === 'number' || typeof v === 'boolean')) return String(v);
    }
    this.error(
      node,
      `${what} must be a string, not ${describeKind(node)}`,
      node.kind === 'map' ? JINJA_HINT : undefined,
    );
    return undefined;
  }

  /** A string or null. */
  optStr(node: YNode, what: string): string | null | undefined {
    if (node.kind === 'scalar' && node.value === null) return null;
    return this.str(node, what);
  }

  bool(node: YNode, what: string): boolean | undefined {
    if (node.kind === 'scalar') {
      const v = this.scalar(node);
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && this.render && /^(true|false)$/i.test(v))
        return v.toLowerCase() === 'true';
    }
    this.error(node, `${what} must be true or false, not ${describeKind(node)}`);
    return undefined;
  }

  /** A whole number in [min, max]; numeric strings are accepted where env_var() may produce them. */
  int(node: YNode, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (node.kind === 'scalar') {
      let v = this.scalar(node);
      if (typeof v === 'string' && this.render && /^\s*-?\d+\s*$/.test(v)) v = Number(v);
      if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    }
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    this.error(node, `${what} must be a whole number ${range}, not ${describeKind(node)}`);
    return undefined;
  }

  /** A number >= min. */
  num(node: YNode, what: string, min: number): number | undefined {
    if (node.kind === 'scalar') {
      let v = this.scalar(node);
      if (typeof v === 'string' && this.render && v.trim() !== '' && !Number.isNaN(Number(v))) v = Number(v);
      if (typeof v === 'number' && Number.isFinite(v) && v >= min) return v;
    }
    this.error(node, `${what} must be a number of ${min} or more, not ${describeKind(node)}`);
    return undefined;
  }

  /** One of `allowed` (compared case-insensitively when `ci`). */
  oneOf<T extends string>(node: YNode, what: string, allowed: readonly T[], ci = false): T | undefined {
    if (node.kind === 'scalar') {
      const v = this.scalar(node);
      if (typeof v === 'string') {
        for (const a of allowed) if (a === v || (ci && a.toLowerCase() === v.toLowerCase())) return a;
        this.error(node, `${what} must be one of ${allowed.join(', ')}, not '${v}'`, allowedHint(v, allowed));
        return undefined;
      }
    }
    this.error(node, `${what} must be one of ${allowed.join(', ')}, not ${describeKind(node)}`);
    return undefined;
  }

  /** A list of strings; a single string is accepted when `single`. */
  strList(node: YNode, what: string, single = false): string[] | undefined {
    if (node.kind === 'seq') {
      const out: string[] = [];
      for (const item of node.items) {
        const s = this.str(item, `each entry of ${what}`, true);
        if (s !== undefined) out.push(s);
      }
      return out;
    }
    if (single && node.kind === 'scalar' && typeof node.value === 'string') return [this.str(node, what)!];
    this.error(
      node,
      `${what} must be a list of strings${single ? ' or one string' : ''}, not ${describeKind(node)}`,
    );
    return undefined;
  }

  /** A free-form mapping (meta, vars, session), as plain JS, strings rendered. */
  freeMap(node: YNode, what: string): Record<string, unknown> | undefined {
    if (node.kind === 'scalar' && node.value === null) return {};
    if (node.kind !== 'map') {
      this.error(node, `${what} must be a mapping, not ${describeKind(node)}`);
      return undefined;
    }
    return this.render ? (this.js(node) as Record<string, unknown>) : (toJS(node) as Record<string, unknown>);
  }

  /** Plain JS of any node, strings rendered. */
  js(node: YNode): unknown {
    if (!this.render) return toJS(node);
    switch (node.kind) {
      case 'scalar':
        return this.scalar(node);
      case 'seq':
        return node.items.map((item) => this.js(item));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < node.keys.length; i++) setKey(out, node.keys[i]!.name, this.js(node.values[i]!));
        return out;
      }
    }
  }
}

const JINJA_HINT = 'a value that starts with {{ must be quoted: "{{ ... }}"';

/** `did you mean 'x'? allowed: a, b, c` */
export function allowedHint(name: string, allowed: readonly string[]): string {
  const close = closestNames(name, allowed);
  const list = `allowed: ${allowed.join(', ')}`;
  return close.length > 0 ? `did you mean '${close[0]}'? ${list}` : list;
}

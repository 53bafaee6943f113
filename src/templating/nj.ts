/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Typed access to the nunjucks internals we build on (parser, compiler, runtime, nodes). They are
 * undocumented and untyped, which is why nunjucks is pinned exactly (3.2.4): a version bump means
 * re-reading src/parser.js, src/compiler.js and src/runtime.js.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface NunjucksInternals {
  Environment: new (loader?: unknown, opts?: Record<string, unknown>) => NunjucksEnv;
  parser: { Parser: any };
  compiler: { Compiler: any };
  lexer: any;
  nodes: any;
  runtime: NunjucksRuntime;
  lib: { TemplateError: any; isArray(v: unknown): boolean };
}

export interface NunjucksEnv {
  opts: Record<string, unknown>;
  filters: Record<string, (...args: any[]) => unknown>;
  tests: Record<string, (...args: any[]) => unknown>;
  addFilter(name: string, fn: (...args: any[]) => unknown): void;
  addTest(name: string, fn: (...args: any[]) => unknown): void;
  getFilter(name: string): (...args: any[]) => unknown;
  getTest(name: string): (...args: any[]) => unknown;
}

export interface NunjucksFrame {
  lookup(name: string): unknown;
  set(name: string, value: unknown, resolveUp?: boolean): void;
  push(isolateWrites?: boolean): NunjucksFrame;
  topLevel: boolean;
}

export interface NunjucksRuntime {
  Frame: new (parent?: NunjucksFrame, isolateWrites?: boolean) => NunjucksFrame;
  SafeString: new (value: string) => { val: string; length: number };
  makeMacro(argNames: string[], kwargNames: string[], func: (...args: any[]) => unknown): any;
  memberLookup(obj: unknown, key: unknown): unknown;
  fromIterator(value: unknown): unknown;
  [name: string]: unknown;
}

export const nj = require('nunjucks') as NunjucksInternals;
export const SafeString = nj.runtime.SafeString;

export function isSafeString(value: unknown): value is { val: string; length: number } {
  return value instanceof SafeString;
}

import type { Document, LineCounter, Node } from 'yaml';
import { yamlLibrary } from './library.js';
import { QdbtError, QdbtErrors, type ErrorKind } from '../../errors.js';
import { keyName, type YKey, type YMap, type YNode, type YScalarValue, type YSeq } from './ast.js';
import { fastParse } from './fastParser.js';

export interface ParseYamlOptions {
  /** Error kind for syntax errors: `project` for files, `usage` for `--vars`. */
  kind?: ErrorKind;
  /** Skip the fast path (tests use this to compare both parsers). */
  full?: boolean;
}

/**
 * Parses one YAML document into a positioned tree (null when the document is empty).
 * Syntax errors throw QdbtError (or QdbtErrors) naming `file:line:col`.
 */
export function parseYaml(text: string, file: string, options: ParseYamlOptions = {}): YNode | null {
  if (!options.full) {
    const fast = fastParse(text);
    if (fast !== undefined) return fast;
  }
  return parseWithLibrary(text, file, options.kind ?? 'project');
}

function parseWithLibrary(text: string, file: string, kind: ErrorKind): YNode | null {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return new QdbtError(kind, `invalid YAML: ${firstLine(e.message)}`, {
        location: { file, line: pos.line, column: pos.col },
        hint: yamlHint(e.code),
      });
    });
    throw errors.length === 1 ? errors[0]! : new QdbtErrors(errors);
  }
  if (doc.contents === null) return null;
  return new Converter(doc, lineCounter).node(doc.contents as Node);
}

function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return (nl < 0 ? message : message.slice(0, nl)).replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a mapping: remove or merge the repeated one';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation: nested keys need more spaces than their parent, and list items start with "- "';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'a project file holds one YAML document: remove the extra "---"';
    case 'BAD_SCALAR_START':
    case 'UNEXPECTED_TOKEN':
    case 'BLOCK_IN_FLOW':
      return "values that start with '{{', '{', '[', '*', '&', '!', '%' or '@' must be quoted";
    default:
      return undefined;
  }
}

/** Turns the `yaml` package's nodes into the shared tree, resolving aliases and `<<` merges. */
class Converter {
  private readonly seen = new Set<Node>();
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private pos(node: Node | null | undefined): { line: number; col: number } {
    const offset = node?.range?.[0] ?? 0;
    return this.lines.linePos(offset);
  }

  node(node: Node | null | undefined): YNode {
    const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
    if (node === null || node === undefined) return { kind: 'scalar', value: null, line: 1, col: 1 };
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target || this.seen.has(target)) return { kind: 'scalar', value: null, ...this.pos(node) };
      this.seen.add(target);
      try {
        const out = this.node(target);
        // Report positions where the alias is used.
        return { ...out, ...this.pos(node) };
      } finally {
        this.seen.delete(target);
      }
    }
    if (isScalar(node)) return { kind: 'scalar', value: scalarValue(node.value), ...this.pos(node) };
    if (isSeq(node)) {
      const seq: YSeq = { kind: 'seq', items: [], ...this.pos(node) };
      for (const item of node.items) seq.items.push(this.node(item as Node));
      return seq;
    }
    if (isMap(node)) {
      const map: YMap = { kind: 'map', keys: [], values: [], ...this.pos(node) };
      const merged: Array<[YKey, YNode]> = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
          this.collectMerge(this.node(pair.value as Node), merged);
          continue;
        }
        const key: YKey = { name: keyName(isScalar(keyNode) ? keyNode.value : null), ...this.pos(keyNode) };
        map.keys.push(key);
        const value = pair.value as Node | null;
        // An empty value (`key:`) is placed at its key, as the fast parser does.
        const empty =
          value === null ||
          (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
        map.values.push(empty ? { kind: 'scalar', value: null, ...this.pos(keyNode) } : this.node(value));
      }
      for (const [key, value] of merged) {
        if (!map.keys.some((k) => k.name === key.name)) {
          map.keys.push(key);
          map.values.push(value);
        }
      }
      return map;
    }
    return { kind: 'scalar', value: null, ...this.pos(node) };
  }

  private collectMerge(source: YNode, into: Array<[YKey, YNode]>): void {
    const sources = source.kind === 'seq' ? source.items : [source];
    for (const src of sources) {
      if (src.kind !== 'map') continue;
      for (let i = 0; i < src.keys.length; i++) {
        const key = src.keys[i]!;
        if (!into.some(([k]) => k.name === key.name)) into.push([key, src.values[i]!]);
      }
    }
  }
}

function scalarValue(value: unknown): YScalarValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

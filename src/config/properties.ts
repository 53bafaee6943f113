/**
 * Property YAML (`models/**\/*.yml`, `seeds/**\/*.yml`): `models:`, `seeds:`, `sources:` and
 * `macros:` entries, validated in one walk of the parsed document. Pure: text in, data out.
 */
import { readTests } from './dataTests.js';
import { checkConfig, normalizeConfigKey, tagList } from './nodeConfig.js';
import { Reader } from './reader.js';
import type {
  ColumnPatch,
  FreshnessConfig,
  Located,
  NodePatch,
  PropertyFile,
  SourceDef,
  SourceTableDef,
  TestDefinition,
} from './types.js';
import { describeKind, setKey, toJS, type YKey, type YMap, type YNode } from './yaml/ast.js';
import { parseYaml } from './yaml/parse.js';

export const PROPERTY_KEYS = ['version', 'models', 'seeds', 'sources', 'macros'] as const;
/** dbt keys that are read but not acted on (reported in `unsupported`). */
export const DBT_ONLY_PROPERTY_KEYS = [
  'snapshots',
  'analyses',
  'exposures',
  'metrics',
  'semantic_models',
  'saved_queries',
  'unit_tests',
  'groups',
] as const;
export const NODE_KEYS = [
  'name',
  'description',
  'config',
  'columns',
  'tests',
  'data_tests',
  'meta',
  'docs',
] as const;
export const COLUMN_KEYS = [
  'name',
  'description',
  'data_type',
  'meta',
  'tags',
  'tests',
  'data_tests',
  'quote',
] as const;
export const SOURCE_KEYS = [
  'name',
  'description',
  'database',
  'schema',
  'loader',
  'loaded_at_field',
  'freshness',
  'meta',
  'tags',
  'config',
  'tables',
] as const;
export const TABLE_KEYS = [
  'name',
  'identifier',
  'description',
  'loaded_at_field',
  'freshness',
  'columns',
  'tests',
  'data_tests',
  'meta',
  'tags',
  'config',
  'landing',
] as const;
export const MACRO_KEYS = ['name', 'description', 'arguments', 'docs', 'meta'] as const;
export const FRESHNESS_PERIODS = ['minute', 'hour', 'day'] as const;

type Macro = PropertyFile['macros'][number];

export function parsePropertyFile(text: string, relPath: string): PropertyFile {
  const r = new Reader(relPath);
  const root = parseYaml(text, relPath);
  const out: PropertyFile = { path: relPath, models: [], seeds: [], sources: [], macros: [] };
  if (root === null) return out;
  const map = r.map(root, relPath);
  if (!map) r.done();
  for (let i = 0; i < map!.keys.length; i++) {
    const key = map!.keys[i]!;
    const v = map!.values[i]!;
    switch (key.name) {
      case 'version':
        if (!(v.kind === 'scalar' && (v.value === 2 || v.value === '2'))) {
          r.error(v, `'version' must be 2, not ${describeKind(v)}`, 'write version: 2 (or leave it out)');
        }
        break;
      case 'models':
        out.models = readList(r, v, "'models'", (item) => readNode(r, item, 'model'));
        break;
      case 'seeds':
        out.seeds = readList(r, v, "'seeds'", (item) => readNode(r, item, 'seed'));
        break;
      case 'sources':
        out.sources = readList(r, v, "'sources'", (item) => readSource(r, item));
        break;
      case 'macros':
        out.macros = readList(r, v, "'macros'", (item) => readMacro(r, item));
        break;
      default:
        if ((DBT_ONLY_PROPERTY_KEYS as readonly string[]).includes(key.name)) {
          (out.unsupported ??= []).push({ value: key.name, file: relPath, line: key.line, column: key.col });
        } else {
          r.unknownKey(key, relPath, [...PROPERTY_KEYS, ...DBT_ONLY_PROPERTY_KEYS]);
        }
    }
  }
  checkDuplicates(r, out.models, 'model');
  checkDuplicates(r, out.seeds, 'seed');
  checkDuplicates(r, out.sources, 'source');
  r.done();
  return out;
}

function readList<T>(r: Reader, node: YNode, what: string, read: (item: YMap) => T | null): T[] {
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind !== 'seq') {
    r.error(
      node,
      `${what} must be a list of entries, each starting with '- name:', not ${describeKind(node)}`,
    );
    return [];
  }
  const out: T[] = [];
  for (const item of node.items) {
    if (item.kind !== 'map') {
      r.error(
        item,
        `each entry of ${what} must be a mapping with a name, not ${describeKind(item)}`,
        'e.g. - name: orders',
      );
      continue;
    }
    const value = read(item);
    if (value !== null) out.push(value);
  }
  return out;
}

function checkDuplicates(
  r: Reader,
  entries: Array<{ name: string; location: Located<null> }>,
  what: string,
): void {
  if (entries.length < 2) return;
  const seen = new Map<string, Located<null>>();
  for (const e of entries) {
    const first = seen.get(e.name);
    if (first) {
      r.error(
        { line: e.location.line, col: e.location.column },
        `${what} '${e.name}' is described twice in this file`,
        `the first is at line ${first.line}: merge them`,
      );
    } else seen.set(e.name, e.location);
  }
}

/** The `name:` of an entry, or an error at the entry. */
function entryName(r: Reader, map: YMap, what: string): string | null {
  for (let i = 0; i < map.keys.length; i++) {
    if (map.keys[i]!.name === 'name') {
      const v = map.values[i]!;
      if (v.kind === 'scalar' && v.value !== null && typeof v.value !== 'object') return String(v.value);
      r.error(v, `the name of a ${what} must be a string, not ${describeKind(v)}`);
      return null;
    }
  }
  r.error(map, `a ${what} entry needs a 'name'`, `e.g. - name: orders`);
  return null;
}

function readNode(r: Reader, map: YMap, kind: 'model' | 'seed'): NodePatch | null {
  const name = entryName(r, map, kind);
  if (name === null) return null;
  const what = `${kind} '${name}'`;
  const patch: NodePatch = {
    name,
    description: '',
    config: {},
    columns: [],
    tests: [],
    meta: {},
    location: r.located(map),
  };
  let testsKey: YKey | null = null;
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    switch (key.name) {
      case 'name':
        break;
      case 'description':
        patch.description = description(r, v, what);
        break;
      case 'config':
        patch.config = readConfig(r, v, what);
        break;
      case 'columns':
        patch.columns = readColumns(r, v, what);
        break;
      case 'tests':
      case 'data_tests':
        testsKey = onlyOneTestsKey(r, key, testsKey, what);
        patch.tests = patch.tests.concat(readTests(r, v, what));
        break;
      case 'meta':
        patch.meta = r.freeMap(v, `'meta' of ${what}`) ?? {};
        break;
      case 'docs': {
        const docs = readDocs(r, v, what);
        if (docs) patch.docs = docs;
        break;
      }
      default:
        r.unknownKey(key, what, NODE_KEYS);
    }
  }
  return patch;
}

function onlyOneTestsKey(r: Reader, key: YKey, seen: YKey | null, what: string): YKey {
  if (seen)
    r.error(
      key,
      `${what} has both '${seen.name}' and '${key.name}': keep one`,
      "'data_tests' is the newer name",
    );
  return key;
}

function description(r: Reader, node: YNode, what: string): string {
  if (node.kind === 'scalar' && node.value === null) return '';
  return r.str(node, `'description' of ${what}`, true) ?? '';
}

function readDocs(r: Reader, node: YNode, what: string): NodePatch['docs'] | undefined {
  const m = r.optMap(node, `'docs' of ${what}`);
  if (!m) return undefined;
  const docs: NonNullable<NodePatch['docs']> = { show: true };
  for (let i = 0; i < m.keys.length; i++) {
    const key = m.keys[i]!;
    const v = m.values[i]!;
    if (key.name === 'show') {
      const b = r.bool(v, `'docs.show' of ${what}`);
      if (b !== undefined) docs.show = b;
    } else if (key.name === 'node_color') {
      const s = r.str(v, `'docs.node_color' of ${what}`);
      if (s !== undefined) docs.node_color = s;
    } else r.unknownKey(key, `'docs' of ${what}`, ['show', 'node_color']);
  }
  return docs;
}

/** A `config:` block: known configs type-checked, adapter configs passed through. */
export function readConfig(r: Reader, node: YNode, what: string): Record<string, unknown> {
  const m = r.optMap(node, `'config' of ${what}`);
  const out: Record<string, unknown> = {};
  if (!m) return out;
  for (let i = 0; i < m.keys.length; i++) {
    const key = m.keys[i]!;
    const v = m.values[i]!;
    const value = toJS(v);
    const problem = checkConfig(key.name, value);
    if (problem) {
      r.error(problem.at === 'key' ? key : v, `${problem.message} in ${what}`, problem.hint);
      continue;
    }
    setKey(out, normalizeConfigKey(key.name), value);
  }
  return out;
}

function readColumns(r: Reader, node: YNode, what: string): ColumnPatch[] {
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind !== 'seq') {
    r.error(
      node,
      `'columns' of ${what} must be a list, not ${describeKind(node)}`,
      'e.g. columns:\n    - name: id',
    );
    return [];
  }
  const out: ColumnPatch[] = [];
  for (const item of node.items) {
    if (item.kind !== 'map') {
      r.error(
        item,
        `each column of ${what} must be a mapping with a name, not ${describeKind(item)}`,
        'e.g. - name: id',
      );
      continue;
    }
    const col = readColumn(r, item, what);
    if (col) out.push(col);
  }
  if (out.length > 1) {
    const seen = new Set<string>();
    for (const c of out) {
      const lower = c.name.toLowerCase();
      if (seen.has(lower))
        r.error(
          { line: c.location.line, col: c.location.column },
          `column '${c.name}' of ${what} is listed twice`,
        );
      seen.add(lower);
    }
  }
  return out;
}

function readColumn(r: Reader, map: YMap, parent: string): ColumnPatch | null {
  const name = entryName(r, map, `column of ${parent}`);
  if (name === null) return null;
  const what = `column '${name}' of ${parent}`;
  const col: ColumnPatch = {
    name,
    description: '',
    data_type: null,
    meta: {},
    tags: [],
    tests: [],
    location: r.located(map),
  };
  let testsKey: YKey | null = null;
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    switch (key.name) {
      case 'name':
        break;
      case 'description':
        col.description = description(r, v, what);
        break;
      case 'data_type':
        col.data_type = r.optStr(v, `'data_type' of ${what}`) ?? null;
        break;
      case 'meta':
        col.meta = r.freeMap(v, `'meta' of ${what}`) ?? {};
        break;
      case 'tags':
        col.tags = readTags(r, v, what);
        break;
      case 'tests':
      case 'data_tests':
        testsKey = onlyOneTestsKey(r, key, testsKey, what);
        col.tests = col.tests.concat(readTests(r, v, what));
        break;
      case 'quote': {
        const b = r.bool(v, `'quote' of ${what}`);
        if (b !== undefined) col.quote = b;
        break;
      }
      default:
        r.unknownKey(key, what, COLUMN_KEYS);
    }
  }
  return col;
}

function readTags(r: Reader, node: YNode, what: string): string[] {
  if (node.kind === 'scalar' && node.value === null) return [];
  return tagList(r.strList(node, `'tags' of ${what}`, true));
}

function readSource(r: Reader, map: YMap): SourceDef | null {
  const name = entryName(r, map, 'source');
  if (name === null) return null;
  const what = `source '${name}'`;
  const source: SourceDef = {
    name,
    description: '',
    database: null,
    schema: name,
    loaded_at_field: null,
    freshness: null,
    meta: {},
    tags: [],
    config: {},
    tables: [],
    location: r.located(map),
  };
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    switch (key.name) {
      case 'name':
        break;
      case 'description':
        source.description = description(r, v, what);
        break;
      case 'database':
        source.database = r.optStr(v, `'database' of ${what}`) ?? null;
        break;
      case 'schema': {
        const schema = r.str(v, `'schema' of ${what}`);
        if (schema !== undefined) source.schema = schema;
        break;
      }
      case 'loader': {
        const loader = r.str(v, `'loader' of ${what}`);
        if (loader !== undefined) source.loader = loader;
        break;
      }
      case 'loaded_at_field':
        source.loaded_at_field = r.optStr(v, `'loaded_at_field' of ${what}`) ?? null;
        break;
      case 'freshness':
        source.freshness = readFreshness(r, v, what) ?? null;
        break;
      case 'meta':
        source.meta = r.freeMap(v, `'meta' of ${what}`) ?? {};
        break;
      case 'tags':
        source.tags = readTags(r, v, what);
        break;
      case 'config':
        source.config = readConfig(r, v, what);
        break;
      case 'tables':
        source.tables = readList(r, v, `'tables' of ${what}`, (item) => readTable(r, item, name));
        break;
      default:
        r.unknownKey(key, what, SOURCE_KEYS);
    }
  }
  if (source.tables.length > 1) {
    const seen = new Set<string>();
    for (const t of source.tables) {
      if (seen.has(t.name))
        r.error(
          { line: t.location.line, col: t.location.column },
          `table '${t.name}' of ${what} is listed twice`,
        );
      seen.add(t.name);
    }
  }
  return source;
}

function readTable(r: Reader, map: YMap, sourceName: string): SourceTableDef | null {
  const name = entryName(r, map, `table of source '${sourceName}'`);
  if (name === null) return null;
  const what = `table '${sourceName}.${name}'`;
  const table: SourceTableDef = {
    name,
    identifier: null,
    description: '',
    loaded_at_field: null,
    freshness: undefined,
    columns: [],
    tests: [],
    meta: {},
    tags: [],
    landing: null,
    location: r.located(map),
  };
  let testsKey: YKey | null = null;
  let tests: TestDefinition[] = [];
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    switch (key.name) {
      case 'name':
        break;
      case 'identifier':
        table.identifier = r.optStr(v, `'identifier' of ${what}`) ?? null;
        break;
      case 'description':
        table.description = description(r, v, what);
        break;
      case 'loaded_at_field':
        table.loaded_at_field = r.optStr(v, `'loaded_at_field' of ${what}`) ?? null;
        break;
      case 'freshness':
        table.freshness = readFreshness(r, v, what);
        break;
      case 'columns':
        table.columns = readColumns(r, v, what);
        break;
      case 'tests':
      case 'data_tests':
        testsKey = onlyOneTestsKey(r, key, testsKey, what);
        tests = tests.concat(readTests(r, v, what));
        break;
      case 'meta':
        table.meta = r.freeMap(v, `'meta' of ${what}`) ?? {};
        break;
      case 'tags':
        table.tags = readTags(r, v, what);
        break;
      case 'config':
        table.config = readConfig(r, v, what);
        break;
      case 'landing': {
        const landing = r.optMap(v, `'landing' of ${what}`);
        table.landing = landing ? (toJS(landing) as Record<string, unknown>) : null;
        break;
      }
      default:
        r.unknownKey(key, what, TABLE_KEYS);
    }
  }
  table.tests = tests;
  return table;
}

/** `freshness:` — null (written as `freshness: null`) switches it off. */
function readFreshness(r: Reader, node: YNode, what: string): FreshnessConfig | null | undefined {
  if (node.kind === 'scalar' && node.value === null) return null;
  const m = r.map(node, `'freshness' of ${what}`);
  if (!m) return undefined;
  const f: FreshnessConfig = { warn_after: null, error_after: null, filter: null };
  for (let i = 0; i < m.keys.length; i++) {
    const key = m.keys[i]!;
    const v = m.values[i]!;
    switch (key.name) {
      case 'warn_after':
      case 'error_after':
        f[key.name] = readAfter(r, v, `'freshness.${key.name}' of ${what}`);
        break;
      case 'filter':
        f.filter = r.optStr(v, `'freshness.filter' of ${what}`) ?? null;
        break;
      default:
        r.unknownKey(key, `'freshness' of ${what}`, ['warn_after', 'error_after', 'filter']);
    }
  }
  return f;
}

function readAfter(r: Reader, node: YNode, what: string): FreshnessConfig['warn_after'] {
  const m = r.optMap(node, what);
  if (!m) return null;
  let count: number | undefined;
  let period: (typeof FRESHNESS_PERIODS)[number] | undefined;
  for (let i = 0; i < m.keys.length; i++) {
    const key = m.keys[i]!;
    const v = m.values[i]!;
    if (key.name === 'count') count = r.int(v, `'count' of ${what}`, 1);
    else if (key.name === 'period') period = r.oneOf(v, `'period' of ${what}`, FRESHNESS_PERIODS);
    else r.unknownKey(key, what, ['count', 'period']);
  }
  if (count === undefined || period === undefined) {
    if (!m.keys.some((k) => k.name === 'count') || !m.keys.some((k) => k.name === 'period')) {
      r.error(m, `${what} needs both 'count' and 'period'`, 'e.g. {count: 12, period: hour}');
    }
    return null;
  }
  return { count, period };
}

function readMacro(r: Reader, map: YMap): Macro | null {
  const name = entryName(r, map, 'macro');
  if (name === null) return null;
  const what = `macro '${name}'`;
  const macro: Macro = { name, description: '', arguments: [] };
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    switch (key.name) {
      case 'name':
        break;
      case 'description':
        macro.description = description(r, v, what);
        break;
      case 'arguments':
        macro.arguments = readList(r, v, `'arguments' of ${what}`, (item) => readArgument(r, item, what));
        break;
      case 'docs':
        readDocs(r, v, what);
        break;
      case 'meta':
        r.freeMap(v, `'meta' of ${what}`);
        break;
      default:
        r.unknownKey(key, what, MACRO_KEYS);
    }
  }
  return macro;
}

function readArgument(r: Reader, map: YMap, macro: string): Macro['arguments'][number] | null {
  const name = entryName(r, map, `argument of ${macro}`);
  if (name === null) return null;
  const what = `argument '${name}' of ${macro}`;
  const arg: Macro['arguments'][number] = { name, type: null, description: '' };
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    if (key.name === 'name') continue;
    if (key.name === 'type') arg.type = r.optStr(v, `'type' of ${what}`) ?? null;
    else if (key.name === 'description') arg.description = description(r, v, what);
    else r.unknownKey(key, what, ['name', 'type', 'description']);
  }
  return arg;
}

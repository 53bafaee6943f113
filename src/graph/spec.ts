/**
 * Selection specs, parsed from CLI words (`+tag:nightly,config.materialized:table`) and from
 * selectors.yml definitions, following dbt's `graph/cli.py` and `selector_spec.py`.
 */
import { QdbtError } from '../errors.js';

export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';
export const INDIRECT_SELECTIONS: readonly IndirectSelection[] = ['eager', 'cautious', 'buildable', 'empty'];

/** Methods qdbt evaluates. */
export const METHODS = [
  'fqn',
  'tag',
  'path',
  'file',
  'source',
  'resource_type',
  'package',
  'config',
  'test_name',
  'test_type',
  'state',
  'group',
  'access',
  // dbt methods for resources qdbt has none of: they match nothing.
  'exposure',
  'metric',
  'semantic_model',
  'saved_query',
  'unit_test',
  'version',
] as const;
export type MethodName = (typeof METHODS)[number];
/** dbt methods that need artifacts qdbt does not read yet. */
const UNSUPPORTED_METHODS = ['result', 'source_status'];

export const RESOURCE_TYPES = [
  'model',
  'analysis',
  'test',
  'snapshot',
  'operation',
  'seed',
  'rpc',
  'sql_operation',
  'doc',
  'source',
  'macro',
  'exposure',
  'metric',
  'group',
  'saved_query',
  'semantic_model',
  'unit_test',
  'fixture',
  'function',
];
export const TEST_TYPES = ['generic', 'singular', 'schema', 'data', 'unit'];
export const STATE_CHECKS = [
  'new',
  'old',
  'modified',
  'unmodified',
  'modified.body',
  'modified.configs',
  'modified.relation',
  'modified.persisted_descriptions',
  'modified.macros',
] as const;

export type SelectorValue = string | number | boolean;

export interface Criteria {
  kind: 'criteria';
  raw: string;
  method: MethodName;
  /** `materialized` in `config.materialized`. */
  args: string[];
  value: SelectorValue;
  childrensParents: boolean;
  parents: boolean;
  parentsDepth: number | null;
  children: boolean;
  childrenDepth: number | null;
  indirect: IndirectSelection;
}

export interface SpecGroup {
  kind: 'union' | 'intersection' | 'difference';
  raw: string;
  components: Spec[];
  /** Warn when this part selects nothing: each space-separated word of --select/--exclude. */
  expectExists: boolean;
  indirect: IndirectSelection;
}

export type Spec = Criteria | SpecGroup;

export const SYNTAX_HINT =
  'Selectors: a name or fqn path (`orders`, `staging.*`), `method:value` with methods ' +
  `${METHODS.slice(0, 13).join(', ')}; graph operators \`+x\`, \`x+\`, \`2+x\`, \`x+1\`, \`@x\`; ` +
  'space = union, comma = intersection, --exclude to remove.';

/** Thrown while reading a definition; `path` points into the YAML so callers can place it. */
export class DefinitionError extends Error {
  constructor(
    message: string,
    readonly path: Array<string | number>,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function usage(raw: string, problem: string, hint = SYNTAX_HINT): QdbtError {
  return new QdbtError('usage', `Invalid selector "${raw}": ${problem}`, { hint });
}

const RAW_SELECTOR =
  /^(?<cp>@)?(?<parents>(?<pd>\d*)\+)?(?:(?<method>[\w.]+):)?(?<value>.*?)(?<children>\+(?<cd>\d*))?$/s;

/** One selector word without commas, e.g. `2+tag:nightly+1`. */
export function parseCriteria(raw: string, indirect: IndirectSelection): Criteria {
  const m = RAW_SELECTOR.exec(raw);
  const g = m?.groups;
  if (!g || g.value === undefined || g.value === '') throw usage(raw, 'no value to select on');
  return criteriaFromParts(raw, {
    method: g.method,
    value: g.value,
    childrensParents: g.cp !== undefined,
    parents: g.parents !== undefined,
    parentsDepth: g.pd ? Number(g.pd) : null,
    children: g.children !== undefined,
    childrenDepth: g.cd ? Number(g.cd) : null,
    indirect,
  });
}

interface CriteriaParts {
  method: string | undefined;
  value: SelectorValue;
  childrensParents: boolean;
  parents: boolean;
  parentsDepth: number | null;
  children: boolean;
  childrenDepth: number | null;
  indirect: IndirectSelection;
}

function criteriaFromParts(raw: string, parts: CriteriaParts): Criteria {
  if (parts.childrensParents && parts.children) {
    throw usage(raw, 'the "@" prefix and the "+" suffix cannot be combined');
  }
  let method: MethodName;
  let args: string[] = [];
  if (parts.method === undefined) {
    method = defaultMethod(String(parts.value));
  } else {
    const [name, ...rest] = parts.method.split('.');
    if (UNSUPPORTED_METHODS.includes(name!)) {
      throw usage(raw, `the method '${name}' is not supported by qdbt yet`);
    }
    if (!(METHODS as readonly string[]).includes(name!)) {
      throw usage(raw, `'${name}' is not a valid method name`);
    }
    method = name as MethodName;
    args = rest;
  }
  const criteria: Criteria = {
    kind: 'criteria',
    raw,
    method,
    args,
    value: parts.value,
    childrensParents: parts.childrensParents,
    parents: parts.parents,
    parentsDepth: parts.parentsDepth,
    children: parts.children,
    childrenDepth: parts.childrenDepth,
    indirect: parts.indirect,
  };
  validateValue(criteria);
  return criteria;
}

/** dbt's default: a value with `/` is a path, `*.sql` a file, anything else an fqn. */
function defaultMethod(value: string): MethodName {
  if (value.includes('/')) return 'path';
  if (/\.(sql|py|csv)$/i.test(value)) return 'file';
  return 'fqn';
}

function validateValue(c: Criteria): void {
  const value = String(c.value);
  if (value === '') throw usage(c.raw, 'no value to select on');
  const oneOf = (allowed: readonly string[], what: string): void => {
    if (!allowed.includes(value)) {
      throw usage(c.raw, `'${value}' is not a valid ${what}`, `Expected one of: ${allowed.join(', ')}.`);
    }
  };
  switch (c.method) {
    case 'config':
      if (c.args.length === 0 || c.args.some((a) => a === '')) {
        throw usage(c.raw, 'config needs a key, e.g. `config.materialized:table`');
      }
      break;
    case 'source':
      if (value.split('.').length > 3) {
        throw usage(
          c.raw,
          'sources are selected as `source:source_name`, `source:source_name.table_name` or `source:package.source_name.table_name`',
        );
      }
      break;
    case 'resource_type':
      oneOf(RESOURCE_TYPES, 'resource_type');
      break;
    case 'test_type':
      oneOf(TEST_TYPES, 'test_type');
      break;
    case 'state':
      oneOf(STATE_CHECKS, 'state selector');
      break;
  }
}

/**
 * `--select` / `--exclude` words as dbt reads them: each word split on spaces (union), each part
 * split on commas (intersection).
 */
export function parseUnion(words: string[], indirect: IndirectSelection): SpecGroup {
  const components: Spec[] = [];
  for (const word of words.flatMap((w) => w.split(' '))) {
    if (word.trim() === '') continue;
    const parts = word.split(',');
    if (parts.some((p) => p === '')) throw usage(word, 'empty part around a comma');
    components.push({
      kind: 'intersection',
      raw: word,
      components: parts.map((p) => parseCriteria(p, indirect)),
      expectExists: true,
      indirect,
    });
  }
  return { kind: 'union', raw: words.join(' '), components, expectExists: false, indirect };
}

/** dbt's `parse_difference`: exclusions always remove the tests of what they remove (eager). */
export function parseDifference(
  select: string[] | undefined,
  exclude: string[] | undefined,
  indirect: IndirectSelection,
): SpecGroup {
  const included =
    select && select.some((s) => s.trim() !== '')
      ? parseUnion(select, indirect)
      : parseUnion(['fqn:*', 'source:*'], indirect);
  if (!select || !select.some((s) => s.trim() !== '')) {
    for (const c of included.components) (c as SpecGroup).expectExists = false;
  }
  const excluded = parseUnion(exclude ?? [], 'eager');
  return {
    kind: 'difference',
    raw: `${included.raw} --exclude ${excluded.raw}`,
    components: [included, excluded],
    expectExists: false,
    indirect: 'eager',
  };
}

/** Looks up named selectors for `method: selector` references. */
export type SelectorLookup = (name: string, path: Array<string | number>) => Spec;

const CRITERIA_KEYS = [
  'method',
  'value',
  'children',
  'parents',
  'children_depth',
  'parents_depth',
  'childrens_parents',
  'indirect_selection',
  'exclude',
];

/**
 * A selectors.yml definition (already loaded from YAML) to a spec, as dbt's
 * `parse_from_definition`. Errors are DefinitionErrors carrying the YAML path.
 */
export function parseDefinition(
  definition: unknown,
  indirect: IndirectSelection,
  lookup: SelectorLookup,
  path: Array<string | number> = [],
  rootLevel = true,
): Spec {
  if (typeof definition === 'string') {
    return wrapUsage(() => parseCriteria(definition, indirect), path);
  }
  if (!isRecord(definition)) {
    throw new DefinitionError(
      `Expected a string, or a mapping with union, intersection or method/value; found ${describe(definition)}`,
      path,
    );
  }
  const keys = Object.keys(definition);
  if (('union' in definition || 'intersection' in definition) && rootLevel && keys.length > 1) {
    throw new DefinitionError(
      `Only a single 'union' or 'intersection' key is allowed in a root level selector definition; found ${keys.join(',')}`,
      path,
    );
  }
  for (const op of ['union', 'intersection'] as const) {
    if (op in definition) {
      const items = definition[op];
      if (!Array.isArray(items)) throw new DefinitionError(`'${op}' must be a list`, [...path, op]);
      return parseSetOperation(op, items, indirect, lookup, [...path, op]);
    }
  }
  const ownIndirect = readIndirect(definition, indirect, path);
  if (keys.length === 1) {
    const key = keys[0]!;
    if (key === 'selector') return lookupSpec(definition[key], lookup, [...path, key]);
    return criteriaFromDefinition(key, definition[key], { value: definition[key] }, ownIndirect, [
      ...path,
      key,
    ]);
  }
  if ('method' in definition && 'value' in definition) {
    for (const key of keys) {
      if (!CRITERIA_KEYS.includes(key)) {
        throw new DefinitionError(`Unknown key '${key}'; allowed: ${CRITERIA_KEYS.join(', ')}`, [
          ...path,
          key,
        ]);
      }
    }
    const method = definition.method;
    if (typeof method !== 'string') throw new DefinitionError('method must be a string', [...path, 'method']);
    if (method === 'selector') return lookupSpec(definition.value, lookup, [...path, 'value']);
    const base = criteriaFromDefinition(method, definition.value, definition, ownIndirect, path);
    if (!('exclude' in definition)) return base;
    const excluded = parseExclusions(definition.exclude, indirect, lookup, [...path, 'exclude']);
    if (!excluded) return base;
    return { kind: 'difference', raw: base.raw, components: [base, excluded], expectExists: false, indirect };
  }
  throw new DefinitionError(
    `Expected either 1 key or else "method" and "value" keys, but got ${keys.join(', ')}`,
    path,
  );
}

function parseSetOperation(
  op: 'union' | 'intersection',
  items: unknown[],
  indirect: IndirectSelection,
  lookup: SelectorLookup,
  path: Array<string | number>,
): Spec {
  const include: Spec[] = [];
  let excluded: Spec | null = null;
  let excludeSeen = false;
  items.forEach((item, i) => {
    if (isRecord(item) && 'exclude' in item) {
      if (excludeSeen) {
        throw new DefinitionError(`You cannot provide multiple exclude arguments to the same ${op}`, [
          ...path,
          i,
        ]);
      }
      excludeSeen = true;
      excluded = parseExclusions(item.exclude, indirect, lookup, [...path, i, 'exclude']);
    } else {
      include.push(parseDefinition(item, indirect, lookup, [...path, i], false));
    }
  });
  const group: SpecGroup = { kind: op, raw: op, components: include, expectExists: false, indirect };
  if (!excluded) return group;
  return { kind: 'difference', raw: op, components: [group, excluded], expectExists: false, indirect };
}

function parseExclusions(
  value: unknown,
  indirect: IndirectSelection,
  lookup: SelectorLookup,
  path: Array<string | number>,
): Spec | null {
  if (!Array.isArray(value)) throw new DefinitionError("'exclude' must be a list", path);
  const specs = value.map((item, i) => parseDefinition(item, indirect, lookup, [...path, i], false));
  if (specs.length === 0) return null;
  if (specs.length === 1) return specs[0]!;
  return { kind: 'union', raw: 'exclude', components: specs, expectExists: false, indirect };
}

function criteriaFromDefinition(
  method: string,
  value: unknown,
  dict: Record<string, unknown>,
  indirect: IndirectSelection,
  path: Array<string | number>,
): Criteria {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new DefinitionError(`The value of '${method}' must be a string, number or boolean`, path);
  }
  const flag = (key: string): boolean => {
    const v = dict[key];
    if (v !== undefined && typeof v !== 'boolean')
      throw new DefinitionError(`'${key}' must be true or false`, [...path, key]);
    return v === true;
  };
  const depth = (key: string): number | null => {
    const v = dict[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new DefinitionError(`'${key}' must be a whole number`, [...path, key]);
    }
    return v;
  };
  const raw = `${method}:${String(value)}`;
  const parts: CriteriaParts = {
    method,
    value,
    childrensParents: flag('childrens_parents'),
    parents: flag('parents'),
    parentsDepth: depth('parents_depth'),
    children: flag('children'),
    childrenDepth: depth('children_depth'),
    indirect,
  };
  if (!/^[\w.]+$/.test(method)) throw new DefinitionError(`'${method}' is not a valid method name`, path);
  return wrapUsage(() => criteriaFromParts(raw, parts), path);
}

function readIndirect(
  dict: Record<string, unknown>,
  fallback: IndirectSelection,
  path: Array<string | number>,
) {
  const v = dict.indirect_selection;
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(INDIRECT_SELECTIONS as readonly string[]).includes(v)) {
    throw new DefinitionError(`indirect_selection must be one of ${INDIRECT_SELECTIONS.join(', ')}`, [
      ...path,
      'indirect_selection',
    ]);
  }
  return v as IndirectSelection;
}

function lookupSpec(name: unknown, lookup: SelectorLookup, path: Array<string | number>): Spec {
  if (typeof name !== 'string') throw new DefinitionError('A selector reference must name a selector', path);
  return lookup(name, path);
}

function wrapUsage<T>(fn: () => T, path: Array<string | number>): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof QdbtError) throw new DefinitionError(e.message, path, e.hint);
    throw e;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

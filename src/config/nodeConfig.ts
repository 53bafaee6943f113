/**
 * Known node configs (dbt's, Hive's and the test configs), their type checks, and how configs
 * from several levels merge (deeper wins; tags and hooks accumulate, meta merges), as dbt does.
 */
import {
  closestNames,
  formatLocation,
  projectError,
  type QdbtError,
  type SourceLocation,
} from '../errors.js';
import { allowedHint } from './reader.js';

export type SourceLocationLike = SourceLocation;

export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'ephemeral'] as const;
export const ON_SCHEMA_CHANGE = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const;
export const INCREMENTAL_STRATEGIES = ['append', 'insert_overwrite', 'merge'] as const;
export const FILE_FORMATS = [
  'parquet',
  'orc',
  'textfile',
  'avro',
  'sequencefile',
  'rcfile',
  'jsonfile',
  'iceberg',
] as const;
export const SEVERITIES = ['warn', 'error'] as const;
export const STORE_FAILURES_AS = ['table', 'view', 'ephemeral'] as const;
export const ACCESS = ['private', 'protected', 'public'] as const;

/** Returns what was expected when `value` does not fit, else null. */
type Check = (value: unknown) => string | null;

interface ConfigSpec {
  check: Check;
  /** Enumerated values, for the hint. */
  values?: readonly string[];
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrList = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);

const str: Check = (v) => (isStr(v) ? null : 'a string');
const strOrNull: Check = (v) => (v === null || isStr(v) ? null : 'a string or null');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const boolOrNull: Check = (v) => (v === null || typeof v === 'boolean' ? null : 'true, false or null');
const map: Check = (v) => (isMap(v) ? null : 'a mapping');
const strOrList: Check = (v) => (isStr(v) || isStrList(v) ? null : 'a string or a list of strings');
const strOrListOrNull: Check = (v) =>
  v === null || isStr(v) || isStrList(v) ? null : 'a string, a list of strings or null';
const intOrNull: Check = (v) =>
  v === null || (Number.isInteger(v) && (v as number) >= 0) ? null : 'a whole number or null';
const positiveIntOrNull: Check = (v) =>
  v === null || (Number.isInteger(v) && (v as number) >= 1) ? null : 'a whole number of 1 or more';

function oneOf(values: readonly string[], opts: { nullable?: boolean; ci?: boolean } = {}): ConfigSpec {
  return {
    values,
    check: (v) => {
      if (v === null && opts.nullable) return null;
      if (isStr(v) && values.includes(opts.ci ? v.toLowerCase() : v)) return null;
      return `one of ${values.join(', ')}`;
    },
  };
}

function keysOf(allowed: Record<string, Check>, what: string): Check {
  return (v) => {
    if (!isMap(v)) return `a mapping with ${Object.keys(allowed).join(', ')}`;
    for (const [k, val] of Object.entries(v)) {
      const check = allowed[k];
      if (!check) return `a mapping with only ${Object.keys(allowed).join(', ')} (not '${k}')`;
      const bad = check(val);
      if (bad) return `a mapping whose ${what}.${k} is ${bad}`;
    }
    return null;
  };
}

const hook: Check = (v) => {
  const one = (h: unknown): boolean =>
    isStr(h) || (isMap(h) && isStr(h.sql) && Object.keys(h).every((k) => k === 'sql' || k === 'transaction'));
  return one(v) || (Array.isArray(v) && v.every(one))
    ? null
    : 'a SQL string, a list of them, or {sql: ..., transaction: ...}';
};

const SPECS: Record<string, ConfigSpec> = {
  enabled: { check: bool },
  materialized: oneOf(MATERIALIZATIONS),
  schema: { check: strOrNull },
  alias: { check: strOrNull },
  database: { check: strOrNull },
  tags: { check: strOrList },
  meta: { check: map },
  'pre-hook': { check: hook },
  'post-hook': { check: hook },
  persist_docs: { check: keysOf({ relation: bool, columns: bool }, 'persist_docs') },
  full_refresh: { check: boolOrNull },
  on_schema_change: oneOf(ON_SCHEMA_CHANGE),
  incremental_strategy: oneOf(INCREMENTAL_STRATEGIES, { nullable: true }),
  unique_key: { check: strOrListOrNull },
  file_format: oneOf(FILE_FORMATS, { ci: true }),
  partition_by: { check: strOrListOrNull },
  // insert_overwrite into one static partition: {column: value} (src/materialize/settings.ts)
  partition: { check: map },
  clustered_by: { check: strOrListOrNull },
  buckets: { check: positiveIntOrNull },
  location_root: { check: strOrNull },
  tblproperties: { check: map },
  sql_header: { check: strOrNull },
  docs: { check: keysOf({ show: bool, node_color: str }, 'docs') },
  grants: { check: map },
  contract: { check: keysOf({ enforced: bool, alias_types: bool }, 'contract') },
  access: oneOf(ACCESS),
  group: { check: strOrNull },
  event_time: { check: strOrNull },
  quoting: { check: map },
  // seeds
  column_types: {
    check: (v) =>
      isMap(v) && Object.values(v).every(isStr) ? null : 'a mapping of column names to Hive types',
  },
  delimiter: { check: str },
  quote_columns: { check: bool },
  // data tests
  severity: oneOf(SEVERITIES, { ci: true }),
  where: { check: strOrNull },
  limit: { check: intOrNull },
  warn_if: { check: str },
  error_if: { check: str },
  fail_calc: { check: str },
  store_failures: { check: boolOrNull },
  store_failures_as: oneOf(STORE_FAILURES_AS),
};

/** Every config name qdbt knows (adapter configs it does not know still pass through). */
export const KNOWN_CONFIGS: readonly string[] = Object.keys(SPECS);

/** The configs a data test accepts. */
export const TEST_CONFIGS: readonly string[] = [
  'enabled',
  'severity',
  'where',
  'limit',
  'warn_if',
  'error_if',
  'fail_calc',
  'store_failures',
  'store_failures_as',
  'tags',
  'meta',
  'database',
  'schema',
  'alias',
];

/** `pre_hook` is spelled `pre-hook` in manifests, as dbt does. */
export function normalizeConfigKey(key: string): string {
  if (key === 'pre_hook') return 'pre-hook';
  if (key === 'post_hook') return 'post-hook';
  return key;
}

export function isKnownConfig(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(SPECS, normalizeConfigKey(key));
}

export interface ConfigProblem {
  /** Unknown name (reported at the key) or wrong value (reported at the value). */
  at: 'key' | 'value';
  message: string;
  hint?: string;
}

/**
 * Checks one config. Unknown names pass through as adapter configs, unless they are a likely
 * misspelling of a known one (`materialised`), which is an error.
 */
export function checkConfig(key: string, value: unknown): ConfigProblem | null {
  const name = normalizeConfigKey(key);
  const spec = SPECS[name];
  if (!spec || !Object.prototype.hasOwnProperty.call(SPECS, name)) {
    const close = closestNames(name, KNOWN_CONFIGS, 1);
    if (close.length === 0) return null;
    return {
      at: 'key',
      message: `unknown config '${key}'`,
      hint: `did you mean '${close[0]}'? known configs: ${KNOWN_CONFIGS.join(', ')} (other names pass through to the adapter)`,
    };
  }
  const expected = spec.check(value);
  if (expected === null) return null;
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return {
    at: 'value',
    message: `config '${name}' must be ${expected}, not ${shown}`,
    hint: spec.values ? allowedHint(typeof value === 'string' ? value : '', spec.values) : undefined,
  };
}

/** Errors for a config mapping (e.g. from `{{ config(...) }}`), all pointing at `where`. */
export function configErrors(config: Record<string, unknown>, where: SourceLocationLike): QdbtError[] {
  const out: QdbtError[] = [];
  for (const [key, value] of Object.entries(config)) {
    const problem = checkConfig(key, value);
    if (problem) out.push(projectError(problem.message, where, problem.hint));
  }
  return out;
}

/** The same checks as messages: `file:line:col: config 'materialized' must be ...`. */
export function validateNodeConfig(config: Record<string, unknown>, where: SourceLocationLike): string[] {
  return configErrors(config, where).map(
    (e) => `${formatLocation(where)}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`,
  );
}

/** Hooks as a list of SQL strings. */
export function hookList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  const out: string[] = [];
  for (const h of list) {
    if (isStr(h)) out.push(h);
    else if (isMap(h) && isStr(h.sql)) out.push(h.sql);
  }
  return out;
}

export function tagList(value: unknown): string[] {
  if (isStr(value)) return [value];
  if (Array.isArray(value)) return value.filter(isStr);
  return [];
}

/**
 * Merges `override` into `base` (in place) the way dbt merges config levels: tags are a union,
 * hooks are appended, meta/docs/grants/quoting are merged key by key, everything else is replaced.
 */
export function mergeConfig(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  for (const rawKey of Object.keys(override)) {
    const key = normalizeConfigKey(rawKey);
    const value = override[rawKey];
    switch (key) {
      case 'tags': {
        const tags = tagList(base.tags);
        for (const t of tagList(value)) if (!tags.includes(t)) tags.push(t);
        base.tags = tags;
        break;
      }
      case 'pre-hook':
      case 'post-hook':
        base[key] = [...hookList(base[key]), ...hookList(value)];
        break;
      case 'meta':
      case 'docs':
      case 'grants':
      case 'quoting':
      case 'tblproperties':
        base[key] = isMap(value) && isMap(base[key]) ? { ...base[key], ...value } : value;
        break;
      default:
        base[key] = value;
    }
  }
  return base;
}

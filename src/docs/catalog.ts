/**
 * target/catalog.json: what the warehouse says about each relation the manifest names (columns
 * with their real types, owner, kind, file statistics). dbt's catalog shape: `nodes` and `sources`
 * keyed by unique_id. Schema: schemas/catalog.v1.json.
 */
import type { CellValue, ColumnDef } from '../adapters/types.js';
import type { Manifest } from '../manifest/types.js';
import { QDBT_VERSION } from '../version.js';

export const CATALOG_SCHEMA_VERSION = 'https://qdbt.dev/schemas/catalog/v1.json';

export interface CatalogColumn {
  type: string;
  /** 1-based; partition columns come after the data columns, as `SELECT *` returns them. */
  index: number;
  name: string;
  comment: string | null;
}

export interface CatalogStat {
  id: string;
  label: string;
  value: string | number | boolean | null;
  include: boolean;
  description: string;
}

export interface CatalogTable {
  metadata: {
    type: string;
    schema: string;
    name: string;
    database: string | null;
    comment: string | null;
    owner: string | null;
  };
  columns: Record<string, CatalogColumn>;
  stats: Record<string, CatalogStat>;
  unique_id: string;
}

export interface Catalog {
  metadata: {
    dbt_schema_version: string;
    qdbt_version: string;
    generated_at: string;
    invocation_id: string;
    env: Record<string, string>;
  };
  nodes: Record<string, CatalogTable>;
  sources: Record<string, CatalogTable>;
  errors: string[] | null;
}

/** What the warehouse told about one relation, before it is keyed by unique_id. */
export interface RelationFacts {
  schema: string;
  name: string;
  kind: string;
  owner: string | null;
  comment: string | null;
  columns: ColumnDef[];
  partitionColumns: ColumnDef[];
  location: string | null;
  numFiles: number | null;
  totalSize: number | null;
  lastModified: number | null;
}

/** A relation the manifest expects: models (not ephemeral), seeds and sources. */
export interface ExpectedRelation {
  uniqueId: string;
  section: 'nodes' | 'sources';
  schema: string;
  name: string;
}

export function expectedRelations(manifest: Manifest, only?: Set<string>): ExpectedRelation[] {
  const out: ExpectedRelation[] = [];
  for (const node of Object.values(manifest.nodes)) {
    if (node.resource_type !== 'model' && node.resource_type !== 'seed') continue;
    if (node.config.materialized === 'ephemeral' || !node.relation_name) continue;
    if (only && !only.has(node.unique_id)) continue;
    out.push({ uniqueId: node.unique_id, section: 'nodes', schema: node.schema, name: node.alias });
  }
  for (const source of Object.values(manifest.sources)) {
    if (only && !only.has(source.unique_id)) continue;
    out.push({
      uniqueId: source.unique_id,
      section: 'sources',
      schema: source.schema,
      name: source.identifier,
    });
  }
  return out.sort((a, b) => a.uniqueId.localeCompare(b.uniqueId));
}

export function buildCatalog(input: {
  expected: ExpectedRelation[];
  /** Keyed by `schema.name`, lower-case. */
  facts: Map<string, RelationFacts>;
  invocationId: string;
  errors?: string[];
  generatedAt?: Date;
}): Catalog {
  const catalog: Catalog = {
    metadata: {
      dbt_schema_version: CATALOG_SCHEMA_VERSION,
      qdbt_version: QDBT_VERSION,
      generated_at: (input.generatedAt ?? new Date()).toISOString(),
      invocation_id: input.invocationId,
      env: {},
    },
    nodes: {},
    sources: {},
    errors: input.errors?.length ? input.errors : null,
  };
  for (const expected of input.expected) {
    const facts = input.facts.get(relationKey(expected.schema, expected.name));
    if (!facts) continue;
    catalog[expected.section][expected.uniqueId] = catalogTable(expected.uniqueId, facts);
  }
  return catalog;
}

export function relationKey(schema: string, name: string): string {
  return `${schema}.${name}`.toLowerCase();
}

function catalogTable(uniqueId: string, facts: RelationFacts): CatalogTable {
  const columns: Record<string, CatalogColumn> = {};
  let index = 1;
  for (const column of [...facts.columns, ...facts.partitionColumns]) {
    if (columns[column.name]) continue;
    columns[column.name] = {
      type: column.type,
      index: index++,
      name: column.name,
      comment: column.comment ?? null,
    };
  }
  const stats: Record<string, CatalogStat> = {};
  const stat = (id: string, label: string, value: number | null, description: string) => {
    if (value !== null) stats[id] = { id, label, value, include: true, description };
  };
  stat('num_files', 'Files', facts.numFiles, 'Data files under the location, as the metastore counts them');
  stat('bytes', 'Bytes', facts.totalSize, 'Total size of the data files');
  stat('last_modified', 'Last modified', facts.lastModified, 'Newest file change, ms since the epoch');
  stats.has_stats = {
    id: 'has_stats',
    label: 'Has Stats?',
    value: Object.keys(stats).length > 0,
    include: false,
    description: 'Whether the warehouse gave statistics for this relation',
  };
  return {
    metadata: {
      type: facts.kind,
      schema: facts.schema,
      name: facts.name,
      database: null,
      comment: facts.comment,
      owner: facts.owner,
    },
    columns,
    stats,
    unique_id: uniqueId,
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads Hive's `SHOW TABLE EXTENDED IN db LIKE '%'`: one `key:value` text row per line, a blank
 * row between tables. Columns come as Thrift DDL (`struct columns { i32 a, decimal(12,2) b}`).
 */
export function parseShowTableExtended(schema: string, rows: CellValue[][]): RelationFacts[] {
  const out: RelationFacts[] = [];
  let current: Record<string, string> | null = null;
  const flush = () => {
    if (current?.tableName) out.push(factsOf(schema, current));
    current = null;
  };
  for (const row of rows) {
    const line = row[0] === null || row[0] === undefined ? '' : String(row[0]);
    if (!line.trim()) {
      flush();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    if (key === 'tableName') flush();
    current ??= {};
    current[key] = line.slice(colon + 1).trim();
  }
  flush();
  return out;
}

function factsOf(schema: string, fields: Record<string, string>): RelationFacts {
  const number = (key: string): number | null => {
    const value = fields[key];
    if (value === undefined || value === '' || value === 'null') return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  };
  const location = fields.location && fields.location !== 'null' ? fields.location : null;
  return {
    schema: schema.toLowerCase(),
    name: fields.tableName!.toLowerCase(),
    // SHOW TABLE EXTENDED does not say; views have no location. The listing corrects it.
    kind: location ? 'table' : 'view',
    owner: fields.owner || null,
    comment: null,
    columns: parseThriftStruct(fields.columns ?? ''),
    partitionColumns: parseThriftStruct(fields.partitionColumns ?? ''),
    location,
    numFiles: number('totalNumberFiles'),
    totalSize: number('totalFileSize'),
    lastModified: number('lastUpdateTime'),
  };
}

/** `struct columns { i32 a, decimal(12,2) b, map<string,i32> c}` → columns with Hive type names. */
export function parseThriftStruct(text: string): ColumnDef[] {
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (open < 0 || close < open) return [];
  const body = text.slice(open + 1, close);
  const columns: ColumnDef[] = [];
  for (const part of splitTopLevel(body)) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    // The type may hold spaces only inside brackets; the name is the last word.
    const space = lastTopLevelSpace(trimmed);
    if (space < 0) continue;
    columns.push({
      name: trimmed
        .slice(space + 1)
        .replace(/^`|`$/g, '')
        .toLowerCase(),
      type: hiveTypeOfThrift(trimmed.slice(0, space).trim()),
      comment: null,
    });
  }
  return columns;
}

const THRIFT_TO_HIVE: Record<string, string> = {
  i16: 'smallint',
  i32: 'int',
  i64: 'bigint',
  byte: 'tinyint',
  bool: 'boolean',
  list: 'array',
};

/** Thrift DDL type names back to Hive's (`i64` → `bigint`, `list<i32>` → `array<int>`). */
export function hiveTypeOfThrift(type: string): string {
  return type.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (word, offset: number) => {
    // Struct field names (`x` in struct<x:i32>) stay as they are.
    if (type[offset + word.length] === ':') return word;
    return THRIFT_TO_HIVE[word.toLowerCase()] ?? word.toLowerCase();
  });
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function lastTopLevelSpace(text: string): number {
  let depth = 0;
  let found = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ' ' && depth === 0) found = i;
  }
  return found;
}

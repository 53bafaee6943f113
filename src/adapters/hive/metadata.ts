/**
 * Metadata, read once per schema per invocation and cached. Per-model `DESCRIBE` calls are what
 * make dbt slow on Hive metastores, so:
 * - a schema's tables and views (with their kinds) come from one GetTables operation, cached;
 * - `DESCRIBE FORMATTED` runs only when a materialization asks for one relation's columns, and a
 *   relation missing from a fresh listing is known not to exist without asking;
 * - DDL that went through the adapter updates the cached listing in place (CREATE, DROP, RENAME);
 *   DDL it cannot read drops the listings; `invalidate` of a name the adapter saw no statement
 *   about marks the schema for one fresh listing.
 */
import type { CellValue, ColumnDef, RelationInfo, RelationKind } from '../types.js';

/** One metadata round trip each. */
export interface MetadataSource {
  listRelations(schema: string): Promise<RelationInfo[]>;
  describeRelation(schema: string, name: string): Promise<RelationInfo | null>;
}

export type StatementEffect =
  | { kind: 'none' }
  /** Changes a relation's description, not the schema's listing (ALTER ... ADD COLUMNS, ANALYZE). */
  | { kind: 'alter'; schema: string; name: string }
  | { kind: 'create'; schema: string; name: string; relation: RelationKind; ifNotExists: boolean }
  | { kind: 'drop'; schema: string; name: string }
  | { kind: 'rename'; schema: string; name: string; toSchema: string; toName: string }
  | { kind: 'dropSchema'; schema: string }
  /** DDL whose target cannot be read (unqualified names, statements we do not know). */
  | { kind: 'unknown' };

const IDENT = '(?:`(?:[^`]|``)+`|[\\w$]+)';
const QNAME = `(${IDENT}(?:\\s*\\.\\s*${IDENT})?)`;

const NO_EFFECT = new Set([
  'SELECT',
  'WITH',
  'INSERT',
  'FROM',
  'MERGE',
  'UPDATE',
  'DELETE',
  'SET',
  'RESET',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
  'USE',
  'VALUES',
  'TRUNCATE',
  'MSCK',
  'LOAD',
  'REFRESH',
  'CACHE',
  'UNCACHE',
  'CLEAR',
  'ADD',
  'LIST',
  'GRANT',
  'REVOKE',
  'KILL',
  'ABORT',
  'RELOAD',
  'TABLE',
  '(',
]);

/** What a statement does to cached metadata. Reads only the statement's head. */
export function statementEffect(sql: string): StatementEffect {
  const text = stripLeadingComments(sql);
  const keyword = /^(\(|[A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? '';
  if (NO_EFFECT.has(keyword)) return { kind: 'none' };
  let m: RegExpExecArray | null;
  if (keyword === 'CREATE') {
    if (/^CREATE\s+(?:DATABASE|SCHEMA|(?:TEMPORARY\s+)?FUNCTION|ROLE)\b/i.test(text)) return { kind: 'none' };
    if (/^CREATE\s+(?:OR\s+REPLACE\s+)?(?:GLOBAL\s+)?(?:TEMPORARY|TEMP)\s+/i.test(text))
      return { kind: 'none' };
    m = new RegExp(
      `^CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:(?:EXTERNAL|MANAGED|TRANSACTIONAL)\\s+)?(TABLE|VIEW|MATERIALIZED\\s+VIEW)\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${QNAME}`,
      'i',
    ).exec(text);
    if (!m) return { kind: 'unknown' };
    const ref = splitName(m[3]!);
    if (!ref) return { kind: 'unknown' };
    const word = m[1]!.toUpperCase().replace(/\s+/g, ' ');
    const relation: RelationKind =
      word === 'TABLE' ? 'table' : word === 'VIEW' ? 'view' : 'materialized_view';
    return { kind: 'create', ...ref, relation, ifNotExists: Boolean(m[2]) };
  }
  if (keyword === 'DROP') {
    if (/^DROP\s+(?:TEMPORARY\s+)?(?:FUNCTION|ROLE)\b/i.test(text)) return { kind: 'none' };
    m = new RegExp(`^DROP\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+EXISTS\\s+)?(${IDENT})`, 'i').exec(text);
    if (m) return { kind: 'dropSchema', schema: unquote(m[1]!) };
    m = new RegExp(`^DROP\\s+(?:TABLE|VIEW|MATERIALIZED\\s+VIEW)\\s+(?:IF\\s+EXISTS\\s+)?${QNAME}`, 'i').exec(
      text,
    );
    const ref = m ? splitName(m[1]!) : null;
    return ref ? { kind: 'drop', ...ref } : { kind: 'unknown' };
  }
  if (keyword === 'ALTER') {
    if (/^ALTER\s+(?:DATABASE|SCHEMA)\b/i.test(text)) return { kind: 'none' };
    m = new RegExp(
      `^ALTER\\s+(?:TABLE|VIEW|MATERIALIZED\\s+VIEW)\\s+${QNAME}\\s+RENAME\\s+TO\\s+${QNAME}`,
      'i',
    ).exec(text);
    if (m) {
      const from = splitName(m[1]!);
      const to = splitName(m[2]!);
      if (!from || !to) return { kind: 'unknown' };
      return { kind: 'rename', ...from, toSchema: to.schema, toName: to.name };
    }
    m = new RegExp(`^ALTER\\s+(?:TABLE|VIEW|MATERIALIZED\\s+VIEW)\\s+${QNAME}`, 'i').exec(text);
    const ref = m ? splitName(m[1]!) : null;
    return ref ? { kind: 'alter', ...ref } : { kind: 'unknown' };
  }
  if (keyword === 'ANALYZE') {
    m = new RegExp(`^ANALYZE\\s+TABLE\\s+${QNAME}`, 'i').exec(text);
    const ref = m ? splitName(m[1]!) : null;
    return ref ? { kind: 'alter', ...ref } : { kind: 'none' };
  }
  return { kind: 'unknown' };
}

function stripLeadingComments(sql: string): string {
  let text = sql.trimStart();
  for (;;) {
    if (text.startsWith('--')) {
      const end = text.indexOf('\n');
      text = end < 0 ? '' : text.slice(end + 1).trimStart();
    } else if (text.startsWith('/*')) {
      const end = text.indexOf('*/');
      text = end < 0 ? '' : text.slice(end + 2).trimStart();
    } else return text;
  }
}

function unquote(ident: string): string {
  const t = ident.trim();
  return (t.startsWith('`') ? t.slice(1, -1).replace(/``/g, '`') : t).toLowerCase();
}

/** `db`.`t` or db.t → {schema, name}; unqualified names are not ours to guess (null). */
function splitName(text: string): { schema: string; name: string } | null {
  const parts = text.match(new RegExp(IDENT, 'g')) ?? [];
  if (parts.length !== 2) return null;
  return { schema: unquote(parts[0]!), name: unquote(parts[1]!) };
}

// ---------------------------------------------------------------------------------------------

interface Listing {
  promise: Promise<Map<string, RelationInfo>>;
  value: Map<string, RelationInfo> | null;
  /** Effects that arrived while the listing was being read: applied when it lands. */
  pending: StatementEffect[];
  /** Names a statement through the adapter touched since the listing was read. */
  touched: Set<string>;
  stale: boolean;
}

export interface MetadataStats {
  /** GetTables (or equivalent) round trips. */
  listings: number;
  /** DESCRIBE FORMATTED round trips. */
  describes: number;
}

export class MetadataCache {
  private readonly listings = new Map<string, Listing>();
  private readonly described = new Map<string, Promise<RelationInfo | null>>();
  readonly stats: MetadataStats = { listings: 0, describes: 0 };

  constructor(private readonly source: MetadataSource) {}

  /** All tables and views of a schema, keyed by lower-case name (a copy: callers may keep it). */
  async listRelations(schema: string): Promise<Map<string, RelationInfo>> {
    const key = schema.toLowerCase();
    let listing = this.listings.get(key);
    if (!listing || listing.stale) {
      listing = this.fetchListing(key);
      this.listings.set(key, listing);
    }
    const value = await listing.promise;
    return new Map([...value].map(([name, info]) => [name, { ...info }]));
  }

  /** One relation's columns, partitions, format and properties; null if it does not exist. */
  async describeRelation(schema: string, name: string): Promise<RelationInfo | null> {
    const s = schema.toLowerCase();
    const n = name.toLowerCase();
    const listing = this.listings.get(s);
    if (listing?.value && !listing.stale && listing.pending.length === 0 && !listing.value.has(n))
      return null;
    const key = `${s}.${n}`;
    let entry = this.described.get(key);
    if (!entry) {
      this.stats.describes++;
      entry = this.source.describeRelation(s, n).then((info) => {
        if (info) {
          const known = this.listings.get(s)?.value?.get(n);
          if (known && info.kind === 'table' && known.kind !== 'table') info.kind = known.kind;
        }
        return info;
      });
      entry.catch(() => this.described.delete(key));
      this.described.set(key, entry);
    }
    const info = await entry;
    return info ? structuredCloneInfo(info) : null;
  }

  /** After a statement ran (ok) or failed (its effect unknown): keep the cache true. */
  afterStatement(effect: StatementEffect, ok: boolean): void {
    switch (effect.kind) {
      case 'none':
        return;
      case 'unknown':
        this.forgetAll();
        return;
      case 'dropSchema':
        this.listings.delete(effect.schema);
        this.forgetDescribed(effect.schema);
        return;
      case 'alter':
        this.described.delete(`${effect.schema}.${effect.name}`);
        this.touch(effect.schema, effect.name);
        return;
      default:
        break;
    }
    const schemas = effect.kind === 'rename' ? [effect.schema, effect.toSchema] : [effect.schema];
    this.described.delete(`${effect.schema}.${effect.name}`);
    if (effect.kind === 'rename') this.described.delete(`${effect.toSchema}.${effect.toName}`);
    for (const schema of schemas) {
      const listing = this.listings.get(schema);
      if (!listing) continue;
      if (!ok) {
        listing.stale = true;
        continue;
      }
      if (listing.value) apply(listing.value, effect);
      else listing.pending.push(effect);
    }
    this.touch(effect.schema, effect.name);
    if (effect.kind === 'rename') this.touch(effect.toSchema, effect.toName);
  }

  /** Forget what a statement outside our sight may have changed. */
  invalidate(schema: string, name?: string): void {
    const s = schema.toLowerCase();
    if (name === undefined) {
      this.listings.delete(s);
      this.forgetDescribed(s);
      return;
    }
    const n = name.toLowerCase();
    this.described.delete(`${s}.${n}`);
    const listing = this.listings.get(s);
    // The adapter saw the statement that changed it and updated the listing already.
    if (listing && !listing.touched.has(n)) listing.stale = true;
  }

  forgetAll(): void {
    this.listings.clear();
    this.described.clear();
  }

  private touch(schema: string, name: string): void {
    this.listings.get(schema)?.touched.add(name);
  }

  private forgetDescribed(schema: string): void {
    for (const key of [...this.described.keys()])
      if (key.startsWith(`${schema}.`)) this.described.delete(key);
  }

  private fetchListing(schema: string): Listing {
    this.stats.listings++;
    const listing: Listing = {
      promise: Promise.resolve(new Map()),
      value: null,
      pending: [],
      touched: new Set(),
      stale: false,
    };
    listing.promise = this.source.listRelations(schema).then(
      (relations) => {
        const map = new Map<string, RelationInfo>();
        for (const r of relations)
          map.set(r.name.toLowerCase(), { ...r, schema, name: r.name.toLowerCase() });
        for (const effect of listing.pending.splice(0)) apply(map, effect);
        listing.value = map;
        return map;
      },
      (error: unknown) => {
        if (this.listings.get(schema) === listing) this.listings.delete(schema);
        throw error;
      },
    );
    return listing;
  }
}

function apply(map: Map<string, RelationInfo>, effect: StatementEffect): void {
  if (effect.kind === 'create') {
    if (effect.ifNotExists && map.has(effect.name)) return;
    map.set(effect.name, { schema: effect.schema, name: effect.name, kind: effect.relation });
  } else if (effect.kind === 'drop') {
    map.delete(effect.name);
  } else if (effect.kind === 'rename') {
    const from = map.get(effect.name);
    if (effect.schema === effect.toSchema || !from) map.delete(effect.name);
    if (from && effect.schema === effect.toSchema)
      map.set(effect.toName, { ...from, name: effect.toName, schema: effect.toSchema });
  }
}

function structuredCloneInfo(info: RelationInfo): RelationInfo {
  return {
    ...info,
    columns: info.columns?.map((c) => ({ ...c })),
    partitionColumns: info.partitionColumns?.map((c) => ({ ...c })),
    tableProperties: info.tableProperties ? { ...info.tableProperties } : undefined,
  };
}

// ---------------------------------------------------------------------------------------------

/** GetTables' TABLE_TYPE → our kind. */
export function kindOfTableType(type: string): RelationKind {
  const t = type.toUpperCase().replace(/\s+/g, '_');
  if (t === 'VIEW' || t === 'VIRTUAL_VIEW') return 'view';
  if (t === 'MATERIALIZED_VIEW') return 'materialized_view';
  return 'table';
}

/**
 * Reads `DESCRIBE FORMATTED` output, in Hive's layout (`Table Type:`, `Table Parameters:` rows,
 * values padded with spaces, partition columns only under `# Partition Information`) and in
 * Spark's (`Type`, `Provider`, `Table Properties [k=v, ...]`, partition columns listed twice).
 * `columns` are the data columns, without the partition columns.
 */
export function parseDescribeFormatted(schema: string, name: string, rows: CellValue[][]): RelationInfo {
  const columns: ColumnDef[] = [];
  const partitionColumns: ColumnDef[] = [];
  const details: Record<string, string> = {};
  const tableProperties: Record<string, string> = {};
  const storageProperties: Record<string, string> = {};
  let section: 'columns' | 'partitions' | 'details' | 'other' | 'none' = 'columns';
  let params: Record<string, string> | null = null;
  for (const row of rows) {
    const c0 = cell(row[0]);
    const c1raw = row[1] === null || row[1] === undefined ? null : String(row[1]);
    const c1 = c1raw === null ? '' : c1raw.trim();
    const c2 = cell(row[2]);
    if (c0.startsWith('#')) {
      params = null;
      if (/^# col_name/i.test(c0)) continue;
      if (/Partition Information/i.test(c0)) section = 'partitions';
      else if (/Detailed Table Information|Storage Information|View Information/i.test(c0))
        section = 'details';
      else section = 'other';
      continue;
    }
    if (c0 === '' && c1 === '') {
      params = null;
      if (section === 'columns' || section === 'partitions') section = 'none';
      continue;
    }
    if (section === 'columns' || section === 'partitions') {
      const column: ColumnDef = {
        name: c0.toLowerCase(),
        type: c1.toLowerCase(),
        comment: c2 === '' ? null : c2,
      };
      (section === 'columns' ? columns : partitionColumns).push(column);
      continue;
    }
    if (section !== 'details') continue;
    if (c0 === '' && params) {
      params[c1] = c2;
      continue;
    }
    const key = c0.replace(/:$/, '').trim();
    if (key === 'Table Parameters') {
      params = tableProperties;
      continue;
    }
    if (key === 'Storage Desc Params') {
      params = storageProperties;
      continue;
    }
    params = null;
    if (key === 'Table Properties') Object.assign(tableProperties, parseBracketedProperties(c1));
    else if (key === 'Storage Properties') Object.assign(storageProperties, parseBracketedProperties(c1));
    else details[key] = c1;
  }
  const partitionNames = new Set(partitionColumns.map((c) => c.name));
  const dataColumns = columns.filter((c) => !partitionNames.has(c.name));
  const tableType = (details['Table Type'] ?? details['Type'] ?? '').toUpperCase();
  const kind: RelationKind =
    tableType === 'VIRTUAL_VIEW' || tableType === 'VIEW'
      ? 'view'
      : tableType === 'MATERIALIZED_VIEW'
        ? 'materialized_view'
        : 'table';
  const prop = (k: string): string | undefined => {
    const found = Object.keys(tableProperties).find((p) => p.toLowerCase() === k);
    return found === undefined ? undefined : tableProperties[found];
  };
  return {
    schema: schema.toLowerCase(),
    name: name.toLowerCase(),
    kind,
    columns: dataColumns,
    partitionColumns,
    transactional: (prop('transactional') ?? '').toLowerCase() === 'true',
    external:
      tableType === 'EXTERNAL_TABLE' ||
      tableType === 'EXTERNAL' ||
      (prop('external') ?? '').toUpperCase() === 'TRUE',
    fileFormat: kind === 'table' ? fileFormatOf(details) : null,
    location: details['Location'] || null,
    tableProperties,
  };
}

function cell(value: CellValue | undefined): string {
  return value === null || value === undefined ? '' : String(value).trim();
}

/** Spark's `[k=v, k2=v2]`. */
function parseBracketedProperties(text: string): Record<string, string> {
  const inner = text.replace(/^\[/, '').replace(/\]$/, '');
  const out: Record<string, string> = {};
  if (!inner.trim()) return out;
  for (const part of inner.split(/,\s*(?=[^,=\s][^,=]*=)/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function fileFormatOf(details: Record<string, string>): string | null {
  const provider = (details['Provider'] ?? '').toLowerCase();
  if (provider && provider !== 'hive') return provider;
  const serde = (details['SerDe Library'] ?? details['Serde Library'] ?? '').toLowerCase();
  const input = (details['InputFormat'] ?? '').toLowerCase();
  const text = `${serde} ${input}`;
  if (text.includes('parquet')) return 'parquet';
  if (text.includes('orc')) return 'orc';
  if (text.includes('avro')) return 'avro';
  if (text.includes('opencsvserde')) return 'csv';
  if (text.includes('jsonserde')) return 'json';
  if (text.includes('rcfile')) return 'rcfile';
  if (text.includes('sequencefile')) return 'sequencefile';
  if (input.includes('textinputformat')) return 'textfile';
  return serde || input ? (input || serde).split('.').pop() || null : null;
}

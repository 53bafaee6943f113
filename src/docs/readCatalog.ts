/**
 * The catalog reader on the adapter: per schema, the GetTables listing the adapter caches (kinds)
 * and ONE `SHOW TABLE EXTENDED IN <schema> LIKE '%'` (columns, partition columns, owner, location,
 * file statistics of every relation). dbt-spark reads its catalog the same way. Where the answer
 * has another shape (Spark's one `information` row per table) or the statement fails, the expected
 * relations of that schema are described one by one, in parallel on the adapter's session pool.
 */
import type { Adapter, RelationInfo } from '../adapters/types.js';
import { mapLimit } from '../ingest/ledger/index.js';
import { parseShowTableExtended, relationKey, type ExpectedRelation, type RelationFacts } from './catalog.js';

export interface CatalogReadStats {
  schemas: number;
  /** SHOW TABLE EXTENDED statements (one per schema, a second pattern only when the first matched nothing). */
  showStatements: number;
  /** DESCRIBE FORMATTED fallbacks. */
  describes: number;
}

export interface CatalogReadResult {
  facts: Map<string, RelationFacts>;
  errors: string[];
  stats: CatalogReadStats;
}

export async function readCatalogFacts(
  adapter: Adapter,
  expected: ExpectedRelation[],
  options: { concurrency?: number; log?: (line: string) => void } = {},
): Promise<CatalogReadResult> {
  const bySchema = new Map<string, ExpectedRelation[]>();
  for (const relation of expected) {
    const key = relation.schema.toLowerCase();
    const list = bySchema.get(key);
    if (list) list.push(relation);
    else bySchema.set(key, [relation]);
  }
  const facts = new Map<string, RelationFacts>();
  const errors: string[] = [];
  const stats: CatalogReadStats = { schemas: bySchema.size, showStatements: 0, describes: 0 };
  const concurrency = Math.max(1, options.concurrency ?? 4);
  await mapLimit([...bySchema], concurrency, async ([schema, wanted]) => {
    let listing: Map<string, RelationInfo>;
    try {
      listing = await adapter.listRelations(schema);
    } catch (error) {
      errors.push(`listing schema ${schema}: ${message(error)}`);
      return;
    }
    const present = wanted.filter((r) => listing.has(r.name.toLowerCase()));
    if (present.length === 0) return; // not built yet: nothing to read
    const found = new Map<string, RelationFacts>();
    try {
      for (const pattern of ['%', '*']) {
        stats.showStatements++;
        const result = await adapter.execute(`SHOW TABLE EXTENDED IN ${quote(schema)} LIKE '${pattern}'`);
        // Hive answers one text column; anything else is read by DESCRIBE below.
        if (result.columns.length !== 1) break;
        for (const f of parseShowTableExtended(schema, result.rows)) found.set(f.name, f);
        if (found.size > 0) break;
      }
    } catch (error) {
      options.log?.(
        `SHOW TABLE EXTENDED IN ${schema} failed (${message(error)}); describing its relations instead`,
      );
    }
    const missing = present.filter((r) => !found.has(r.name.toLowerCase()));
    await mapLimit(missing, concurrency, async (relation) => {
      stats.describes++;
      try {
        const info = await adapter.describeRelation(schema, relation.name);
        if (info) found.set(info.name, factsOfDescription(info));
      } catch (error) {
        errors.push(`describing ${schema}.${relation.name}: ${message(error)}`);
      }
    });
    for (const [name, f] of found) {
      const kind = listing.get(name)?.kind;
      facts.set(relationKey(schema, name), { ...f, kind: kind ?? f.kind });
    }
  });
  return { facts, errors: errors.sort(), stats };
}

function factsOfDescription(info: RelationInfo): RelationFacts {
  const properties = info.tableProperties ?? {};
  const number = (key: string): number | null => {
    const n = Number(properties[key]);
    return properties[key] !== undefined && Number.isFinite(n) ? n : null;
  };
  return {
    schema: info.schema,
    name: info.name,
    kind: info.kind,
    owner: null,
    comment: properties.comment ?? null,
    columns: info.columns ?? [],
    partitionColumns: info.partitionColumns ?? [],
    location: info.location ?? null,
    numFiles: number('numFiles'),
    totalSize: number('totalSize'),
    lastModified: null,
  };
}

function quote(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

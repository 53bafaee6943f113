/**
 * `qdbt seed`: a CSV becomes a Hive table in bulk. The rows are written once to HDFS as a
 * headerless text file in Hive's default text format (`\001` between fields, `\N` for NULL), an
 * external staging table is laid over the folder, and the table is built from it with casts and
 * swapped in like any table. Columns whose values hold a newline, `\001` or a literal `\N` travel
 * base64-encoded and are decoded in the SELECT, so no quoting rules of either engine matter.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColumnDef } from '../../adapters/types.js';
import { QdbtError } from '../../errors.js';
import { NodeSession, sibling, targetOf } from '../session.js';
import { buildSettings } from '../settings.js';
import { createStagingTextTable, dropTable, q, rel } from '../sql.js';
import { buildTable, type BuildSource } from '../table.js';
import type { NodeExecutor, NodeOutcome, NodeRunContext } from '../types.js';
import { parseCsv, type CsvTable } from './csv.js';
import { inferType, normalizeValue } from './types.js';

/** What a seed needs of a file system (WebHDFS in production, a fake in tests). */
export interface SeedFileStore {
  mkdirs(path: string): Promise<void>;
  put(path: string, bytes: Buffer): Promise<void>;
  delete(path: string, options: { recursive: boolean }): Promise<void>;
  close?(): void;
}

export type SeedFileStoreFactory = (context: NodeRunContext) => SeedFileStore | Promise<SeedFileStore>;

export const DEFAULT_SEED_STAGING_DIR = '/tmp/qdbt/seeds';

/** Everything a seed sends, computed from the CSV text: pure. */
export interface SeedPlan {
  columns: ColumnDef[];
  /** The staging file's bytes. */
  data: Buffer;
  rowCount: number;
  /** Staging column names (`c1`, `c2`, ...) and the expression that turns each into its final value. */
  stageColumns: string[];
  expressions: string[];
}

function needsEncoding(value: string): boolean {
  return value.includes('\n') || value.includes('\r') || value.includes('\u0001') || value === '\\N';
}

function castExpression(source: string, type: string): string {
  const t = type.toLowerCase().trim();
  if (t === 'string') return source;
  if (t === 'boolean') return `(lower(${source}) IN ('true', 't', 'yes', 'y', '1'))`;
  return `CAST(${source} AS ${type})`;
}

export function planSeed(table: CsvTable, columnTypes: Record<string, string>, file: string): SeedPlan {
  const overrides = new Map(Object.entries(columnTypes).map(([k, v]) => [k.toLowerCase(), v]));
  const known = new Set(table.header.map((h) => h.toLowerCase()));
  const unknown = [...overrides.keys()].filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new QdbtError(
      'project',
      `column_types names ${unknown.join(', ')}, which the CSV header does not have`,
      {
        location: { file, line: 1 },
        hint: `the header has: ${table.header.join(', ')}`,
      },
    );
  }
  const columns = table.header.map((name, i): ColumnDef => {
    const type = overrides.get(name.toLowerCase()) ?? inferType(table.rows.map((r) => r[i]!));
    return { name, type };
  });
  const encoded = table.header.map((_, i) => table.rows.some((r) => needsEncoding(r[i]!)));
  const lines: string[] = [];
  for (const row of table.rows) {
    const cells = row.map((value, i) => {
      if (value === '') return '\\N';
      const normalized = normalizeValue(value, columns[i]!.type);
      return encoded[i] ? Buffer.from(normalized, 'utf8').toString('base64') : normalized;
    });
    lines.push(`${cells.join('\u0001')}\n`);
  }
  const stageColumns = table.header.map((_, i) => `c${i + 1}`);
  const expressions = columns.map((c, i) => {
    const raw = encoded[i] ? `CAST(unbase64(${q(stageColumns[i]!)}) AS STRING)` : q(stageColumns[i]!);
    return castExpression(raw, c.type);
  });
  return {
    columns,
    data: Buffer.from(lines.join(''), 'utf8'),
    rowCount: table.rows.length,
    stageColumns,
    expressions,
  };
}

function decodeUtf8(bytes: Buffer, file: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // Find the first line that does not decode (a newline byte never occurs inside a UTF-8 sequence).
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new QdbtError('project', 'the seed is not valid UTF-8', {
      location: { file, line },
      hint: 'save the CSV as UTF-8',
    });
  }
}

function columnTypesOf(context: NodeRunContext): Record<string, string> {
  const value = context.node.config.column_types;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new QdbtError(
      'project',
      `seed '${context.node.name}': column_types must map column names to Hive types`,
      {
        location: { file: context.node.original_file_path },
      },
    );
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

async function defaultStore(context: NodeRunContext): Promise<SeedFileStore> {
  const { WebHdfsClient } = await import('../../ingest/hdfs/webhdfs.js');
  const url =
    typeof context.targetExtra.hdfs_url === 'string' ? context.targetExtra.hdfs_url : 'http://127.0.0.1:9870';
  const user = typeof context.targetExtra.hdfs_user === 'string' ? context.targetExtra.hdfs_user : undefined;
  const client = new WebHdfsClient({ url, user });
  return {
    mkdirs: async (path) => {
      await client.mkdirs(path, '777');
    },
    put: (path, bytes) => client.create(path, bytes, { overwrite: true, permission: '666' }),
    delete: async (path, options) => {
      await client.delete(path, options);
    },
    close: () => client.close(),
  };
}

/** A seed executor with its file store (WebHDFS at `hdfs_url` unless given). */
export function createSeedExecutor(storeFactory: SeedFileStoreFactory = defaultStore): NodeExecutor {
  return async (context) => {
    const session = new NodeSession(context);
    const { node } = context;
    const file = node.original_file_path;
    const bytes = await readFile(join(context.projectDir, file));
    const table = parseCsv(decodeUtf8(bytes, file), {
      file,
      delimiter: typeof node.config.delimiter === 'string' ? node.config.delimiter : ',',
    });
    const plan = planSeed(table, columnTypesOf(context), file);
    const settings = buildSettings(node);
    const target = targetOf(node);
    await context.adapter.createSchemaIfMissing(target.schema);
    const existing = await session.describe(target);

    const root =
      typeof context.targetExtra.seed_staging_dir === 'string'
        ? context.targetExtra.seed_staging_dir
        : DEFAULT_SEED_STAGING_DIR;
    const dir = `${root.replace(/\/+$/, '')}/${target.schema}/${target.name}`;
    const stage = sibling(target, 'stage');
    const store = await storeFactory(context);
    try {
      await session.hooks('pre-hook');
      await store.delete(dir, { recursive: true });
      await store.mkdirs(dir);
      await store.put(`${dir}/data.txt`, plan.data);
      context.log(`${node.unique_id}: ${plan.rowCount} rows (${plan.data.length} bytes) written to ${dir}`);
      await session.run(dropTable(stage));
      await session.run(createStagingTextTable(stage, plan.stageColumns, dir));
      session.invalidate(stage);
      const source: BuildSource = { columns: plan.columns, expressions: plan.expressions, from: rel(stage) };
      try {
        await buildTable(session, target, settings, source, existing);
      } finally {
        await session.tryRun(dropTable(stage));
        session.invalidate(stage);
      }
      await session.hooks('post-hook');
    } finally {
      await store
        .delete(dir, { recursive: true })
        .catch((error: unknown) =>
          context.log(`${node.unique_id}: could not delete ${dir}: ${String(error)}`),
        );
      store.close?.();
    }
    const outcome: NodeOutcome = session.outcome(
      'success',
      `INSERT ${plan.rowCount}`,
      plan.rowCount,
      'INSERT',
    );
    return outcome;
  };
}

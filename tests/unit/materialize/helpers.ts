/** A recording fake Adapter and node/context builders for materialization tests. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Adapter,
  AdapterCapabilities,
  ColumnDef,
  QueryResult,
  RelationInfo,
} from '../../../src/adapters/types.js';
import type { NodeConfig } from '../../../src/config/types.js';
import type { GraphNode, Manifest, ModelNode, SeedNode, TestNode } from '../../../src/manifest/types.js';
import type { NodeOutcome, NodeRunContext } from '../../../src/materialize/types.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const golden = (name: string): string =>
  join(repoRoot, 'tests', 'golden', 'materialize', `${name}.sql`);

export const HIVE: AdapterCapabilities = {
  engine: 'hive',
  version: '4.0.1',
  supportsMerge: true,
  supportsAcid: true,
  supportsSkipHeaderLine: true,
  supportsHiveJsonSerde: true,
  supportsRenameTable: true,
  supportsAnalyze: true,
  supportsColumnComments: true,
  canWriteTransactional: true,
  supportsStoredAs: true,
};

export const SPARK: AdapterCapabilities = {
  ...HIVE,
  engine: 'spark',
  version: '3.5.4',
  supportsMerge: false,
  supportsAcid: false,
  supportsSkipHeaderLine: false,
  supportsHiveJsonSerde: false,
  canWriteTransactional: false,
};

export const col = (name: string, type = 'string', comment?: string): ColumnDef =>
  comment ? { name, type, comment } : { name, type };

export function table(
  schema: string,
  name: string,
  columns: ColumnDef[],
  extra: Partial<RelationInfo> = {},
): RelationInfo {
  return { schema, name, kind: 'table', columns, partitionColumns: [], transactional: false, ...extra };
}

export function view(schema: string, name: string, columns: ColumnDef[]): RelationInfo {
  return { schema, name, kind: 'view', columns, partitionColumns: [] };
}

export interface FakeOptions {
  capabilities?: AdapterCapabilities;
  relations?: RelationInfo[];
  /** Answer a statement (rows, rowsAffected); default: no rows, rowsAffected null. */
  answer?: (sql: string) => Partial<QueryResult> | undefined;
  /** Throw on the first statement matching this. */
  failOn?: RegExp;
}

export class FakeAdapter implements Adapter {
  readonly capabilities: AdapterCapabilities;
  /** Every statement, plus `-- describe`/`-- list`/`-- create schema` lines for metadata calls. */
  readonly log: string[] = [];
  private readonly relations = new Map<string, RelationInfo>();

  constructor(private readonly options: FakeOptions = {}) {
    this.capabilities = options.capabilities ?? HIVE;
    for (const r of options.relations ?? []) this.relations.set(`${r.schema}.${r.name}`, r);
  }

  async execute(sql: string): Promise<QueryResult> {
    this.log.push(sql);
    if (this.options.failOn?.test(sql)) throw new Error(`FAILED: ${sql.split('\n')[0]}`);
    return { columns: [], rows: [], rowsAffected: null, elapsedMs: 1, ...this.options.answer?.(sql) };
  }

  async listRelations(schema: string): Promise<Map<string, RelationInfo>> {
    this.log.push(`-- list ${schema}`);
    const out = new Map<string, RelationInfo>();
    for (const r of this.relations.values()) if (r.schema === schema) out.set(r.name, r);
    return out;
  }

  async describeRelation(schema: string, name: string): Promise<RelationInfo | null> {
    this.log.push(`-- describe ${schema}.${name}`);
    return this.relations.get(`${schema}.${name}`) ?? null;
  }

  invalidate(): void {}

  async createSchemaIfMissing(schema: string): Promise<void> {
    this.log.push(`-- create schema if missing ${schema}`);
  }

  async cancelAll(): Promise<void> {}
  async close(): Promise<void> {}

  /** The statements as a golden file: one per block, `;` terminated. */
  transcript(outcome?: NodeOutcome | Error): string {
    const head =
      outcome instanceof Error
        ? `-- error: ${outcome.message}${(outcome as { hint?: string }).hint ? `\n-- hint: ${(outcome as { hint?: string }).hint}` : ''}`
        : outcome
          ? `-- outcome: ${outcome.status} | ${outcome.message} | rows ${outcome.rowsAffected} | failures ${outcome.failures}`
          : '';
    return `${[head, ...this.log.map((s) => (s.startsWith('-- ') ? s : `${s};`))].filter(Boolean).join('\n\n')}\n`;
  }
}

function baseConfig(resourceType: 'model' | 'seed' | 'test', overrides: Record<string, unknown>): NodeConfig {
  const base: NodeConfig = {
    enabled: true,
    materialized: resourceType === 'model' ? 'view' : resourceType,
    tags: [],
    meta: {},
    'pre-hook': [],
    'post-hook': [],
    persist_docs: {},
  };
  if (resourceType === 'model') Object.assign(base, { on_schema_change: 'ignore', full_refresh: null });
  if (resourceType === 'test') {
    Object.assign(base, {
      severity: 'ERROR',
      warn_if: '!= 0',
      error_if: '!= 0',
      store_failures: null,
      where: null,
      limit: null,
      fail_calc: 'count(*)',
    });
  }
  return { ...base, ...overrides } as NodeConfig;
}

interface NodeOptions {
  schema?: string;
  description?: string;
  columns?: Record<string, string>;
  sql?: string;
}

function common(
  resourceType: 'model' | 'seed' | 'test',
  name: string,
  config: Record<string, unknown>,
  options: NodeOptions,
) {
  const schema = options.schema ?? 'analytics';
  const folder = { model: 'models', seed: 'seeds', test: 'tests' }[resourceType];
  const ext = resourceType === 'seed' ? 'csv' : 'sql';
  return {
    unique_id: `${resourceType}.proj.${name}`,
    package_name: 'proj',
    name,
    path: `${name}.${ext}`,
    original_file_path: `${folder}/${name}.${ext}`,
    fqn: ['proj', name],
    description: options.description ?? '',
    tags: [],
    meta: {},
    database: null,
    schema,
    alias: name,
    relation_name: `\`${schema}\`.\`${name}\``,
    config: baseConfig(resourceType, config),
    checksum: { name: 'sha256' as const, checksum: '0' },
    language: 'sql' as const,
    raw_code: options.sql ?? '',
    compiled_code: options.sql ?? '',
    compiled: true,
    depends_on: { macros: [], nodes: [] },
    refs: [],
    sources: [],
    columns: Object.fromEntries(
      Object.entries(options.columns ?? {}).map(([n, d]) => [
        n,
        { name: n, description: d, data_type: null, meta: {}, tags: [] },
      ]),
    ),
    patch_path: null,
    unrendered_config: {},
    created_at: 0,
  };
}

export function model(
  name: string,
  config: Record<string, unknown> = {},
  options: NodeOptions = {},
): ModelNode {
  return {
    ...common('model', name, config, { sql: 'select id, amount, ds from `raw`.`orders`', ...options }),
    resource_type: 'model',
  };
}

export function seed(
  name: string,
  config: Record<string, unknown> = {},
  options: NodeOptions = {},
): SeedNode {
  return { ...common('seed', name, config, options), resource_type: 'seed', root_path: '/project' };
}

export function dataTest(
  name: string,
  config: Record<string, unknown> = {},
  options: NodeOptions = {},
): TestNode {
  return {
    ...common('test', name, config, options),
    resource_type: 'test',
    relation_name: null,
    column_name: 'id',
    attached_node: 'model.proj.orders',
    test_metadata: { name: 'not_null', kwargs: { column_name: 'id' }, namespace: null },
  };
}

export function context(
  adapter: Adapter,
  node: GraphNode,
  options: Partial<Pick<NodeRunContext, 'fullRefresh' | 'vars' | 'projectDir' | 'targetExtra'>> & {
    incrementalSql?: string;
  } = {},
): NodeRunContext {
  return {
    adapter,
    manifest: { nodes: { [node.unique_id]: node } } as unknown as Manifest,
    node,
    fullRefresh: options.fullRefresh ?? false,
    vars: options.vars ?? {},
    // Enough templating for hooks: {{ this }}.
    renderTemplate: (sql) => sql.replace(/\{\{\s*this\s*\}\}/g, `\`${node.schema}\`.\`${node.alias}\``),
    recompile: () =>
      options.incrementalSql ??
      `${node.compiled_code} where ds > (select max(ds) from \`${node.schema}\`.\`${node.alias}\`)`,
    targetExtra: options.targetExtra ?? {},
    projectDir: options.projectDir ?? '/project',
    signal: new AbortController().signal,
    log: () => {},
  };
}

/** Run an executor; the transcript holds the outcome or the error, then every statement. */
export async function transcriptOf(
  adapter: FakeAdapter,
  run: () => Promise<NodeOutcome>,
): Promise<{ text: string; outcome?: NodeOutcome; error?: Error }> {
  try {
    const outcome = await run();
    return { text: adapter.transcript(outcome), outcome };
  } catch (error) {
    return { text: adapter.transcript(error as Error), error: error as Error };
  }
}

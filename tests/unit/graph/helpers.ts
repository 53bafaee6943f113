import type {
  GraphNode,
  Manifest,
  ModelNode,
  SeedNode,
  SourceDefinition,
  TestNode,
} from '../../../src/manifest/types.js';
import type { NodeConfig } from '../../../src/config/types.js';

const PROJECT = 'p';

export function config(extra: Partial<NodeConfig> = {}): NodeConfig {
  return {
    enabled: true,
    materialized: 'view',
    tags: [],
    meta: {},
    'pre-hook': [],
    'post-hook': [],
    persist_docs: {},
    ...extra,
  };
}

interface NodeOptions {
  deps?: string[];
  folder?: string;
  tags?: string[];
  config?: Partial<NodeConfig>;
  unrendered?: Record<string, unknown>;
  body?: string;
  packageName?: string;
  macros?: string[];
}

function base(kind: 'model' | 'seed', name: string, o: NodeOptions) {
  const folder = o.folder ? `${o.folder}/` : '';
  const pkg = o.packageName ?? PROJECT;
  const ext = kind === 'seed' ? 'csv' : 'sql';
  const root = kind === 'seed' ? 'seeds' : 'models';
  const body = o.body ?? `select 1 as ${name}`;
  return {
    unique_id: `${kind}.${pkg}.${name}`,
    resource_type: kind,
    package_name: pkg,
    name,
    path: `${folder}${name}.${ext}`,
    original_file_path: `${root}/${folder}${name}.${ext}`,
    fqn: [pkg, ...(o.folder ? o.folder.split('/') : []), name],
    description: '',
    tags: o.tags ?? [],
    meta: {},
    database: null,
    schema: 'analytics',
    alias: name,
    relation_name: `\`analytics\`.\`${name}\``,
    config: config({ tags: o.tags ?? [], ...o.config }),
    checksum: { name: 'sha256' as const, checksum: `sum:${body}` },
    language: 'sql' as const,
    raw_code: body,
    compiled: false,
    depends_on: { macros: o.macros ?? [], nodes: o.deps ?? [] },
    refs: [],
    sources: [],
    columns: {},
    patch_path: null,
    unrendered_config: o.unrendered ?? {},
    created_at: 0,
  };
}

export function model(name: string, o: NodeOptions = {}): ModelNode {
  return { ...base('model', name, o), resource_type: 'model' };
}

export function seed(name: string, o: NodeOptions = {}): SeedNode {
  return { ...base('seed', name, o), resource_type: 'seed', root_path: '/p' };
}

/** A generic test (`not_null` on column `id`) on the given parents, or singular when `singular`. */
export function test(
  name: string,
  parents: string[],
  o: { singular?: boolean; testName?: string; tags?: string[]; config?: Partial<NodeConfig> } = {},
): TestNode {
  const b = base('model', name, {
    deps: parents,
    tags: o.tags,
    config: { materialized: 'test', ...o.config },
  });
  const file = o.singular ? `tests/${name}.sql` : 'models/schema.yml';
  return {
    ...b,
    unique_id: `test.${PROJECT}.${name}`,
    resource_type: 'test',
    original_file_path: file,
    path: o.singular ? `${name}.sql` : `${name}.sql`,
    fqn: [PROJECT, o.singular ? name : 'generic', name],
    relation_name: null,
    test_metadata: o.singular ? undefined : { name: o.testName ?? 'not_null', kwargs: {}, namespace: null },
    column_name: o.singular ? null : 'id',
    attached_node: o.singular ? null : (parents[0] ?? null),
  };
}

export function source(
  sourceName: string,
  table: string,
  o: { tags?: string[]; schema?: string } = {},
): SourceDefinition {
  return {
    unique_id: `source.${PROJECT}.${sourceName}.${table}`,
    resource_type: 'source',
    package_name: PROJECT,
    name: table,
    path: 'models/sources.yml',
    original_file_path: 'models/sources.yml',
    fqn: [PROJECT, sourceName, table],
    description: '',
    tags: o.tags ?? [],
    meta: {},
    source_name: sourceName,
    source_description: '',
    database: null,
    schema: o.schema ?? sourceName,
    identifier: table,
    relation_name: `\`${sourceName}\`.\`${table}\``,
    loaded_at_field: null,
    freshness: null,
    columns: {},
    config: { enabled: true, tags: [], meta: {} },
    patch_path: null,
  };
}

export function manifest(nodes: Array<GraphNode | SourceDefinition>): Manifest {
  const m: Manifest = {
    metadata: {
      dbt_schema_version: 'x',
      qdbt_version: '0',
      generated_at: '',
      invocation_id: '',
      project_name: PROJECT,
      adapter_type: 'hive',
      env: {},
    },
    nodes: {},
    sources: {},
    macros: {},
    selectors: {},
    parent_map: {},
    child_map: {},
    disabled: {},
    docs: {},
    exposures: {},
    metrics: {},
    groups: {},
    semantic_models: {},
    saved_queries: {},
    unit_tests: {},
  };
  for (const n of nodes) {
    if (n.resource_type === 'source') m.sources[n.unique_id] = n;
    else m.nodes[n.unique_id] = n;
  }
  return m;
}

/** `model.p.a` → `a`, `source.p.app.events` → `app.events`: short names keep the assertions readable. */
export function short(ids: Iterable<string>): string[] {
  return [...ids].map((id) => id.split('.').slice(2).join('.')).sort();
}

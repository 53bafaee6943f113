/**
 * The manifest: every node of a project after parsing (and, once compiled, its SQL).
 * Field names follow dbt's manifest where the concept is the same, so tools that read
 * dbt manifests can read ours. Written to target/manifest.json; schema in schemas/.
 */
import type { NodeConfig } from '../config/types.js';

export const MANIFEST_SCHEMA_VERSION = 'https://qdbt.dev/schemas/manifest/v1.json';

export type ResourceType = 'model' | 'seed' | 'test' | 'source' | 'macro' | 'operation';

export interface FileChecksum {
  name: 'sha256';
  checksum: string;
}

export interface ColumnInfo {
  name: string;
  description: string;
  data_type: string | null;
  meta: Record<string, unknown>;
  tags: string[];
}

export interface RefCall {
  name: string;
  package: string | null;
  version: string | null;
  /** 1-based line of the call in the raw file, for "missing model" errors. */
  line?: number;
}

export interface DependsOn {
  macros: string[];
  nodes: string[];
}

interface NodeBase {
  unique_id: string;
  resource_type: ResourceType;
  package_name: string;
  name: string;
  /** Path relative to the resource folder (`models/`, `seeds/`, ...). */
  path: string;
  /** Path relative to the project root. */
  original_file_path: string;
  fqn: string[];
  description: string;
  tags: string[];
  meta: Record<string, unknown>;
}

/** Models, seeds and tests: nodes that are built or run. */
export interface CompilableNode extends NodeBase {
  resource_type: 'model' | 'seed' | 'test' | 'operation';
  database: string | null;
  schema: string;
  alias: string;
  /** `schema`.`alias`, backquoted as Hive wants; null for ephemeral models and tests. */
  relation_name: string | null;
  config: NodeConfig;
  checksum: FileChecksum;
  language: 'sql';
  raw_code: string;
  compiled_code?: string;
  compiled: boolean;
  /** Path of the compiled SQL relative to the project root, once written. */
  compiled_path?: string | null;
  extra_ctes_injected?: boolean;
  extra_ctes?: Array<{ id: string; sql: string }>;
  depends_on: DependsOn;
  refs: RefCall[];
  sources: string[][];
  columns: Record<string, ColumnInfo>;
  patch_path: string | null;
  unrendered_config: Record<string, unknown>;
  created_at: number;
}

export interface ModelNode extends CompilableNode {
  resource_type: 'model';
}

export interface SeedNode extends CompilableNode {
  resource_type: 'seed';
  /** Absolute path to the CSV file, for loaders. */
  root_path: string;
}

export interface TestMetadata {
  name: string;
  kwargs: Record<string, unknown>;
  namespace: string | null;
}

export interface TestNode extends CompilableNode {
  resource_type: 'test';
  /** Generic tests only: which test, on which column, with which arguments. */
  test_metadata?: TestMetadata;
  column_name: string | null;
  /** unique_id of the model/seed/source the test is attached to. */
  attached_node: string | null;
  file_key_name?: string;
}

export interface SourceFreshnessRule {
  count: number;
  period: 'minute' | 'hour' | 'day';
}

export interface SourceFreshness {
  warn_after: SourceFreshnessRule | null;
  error_after: SourceFreshnessRule | null;
  filter: string | null;
}

export interface SourceDefinition extends NodeBase {
  resource_type: 'source';
  source_name: string;
  source_description: string;
  database: string | null;
  schema: string;
  identifier: string;
  relation_name: string;
  loaded_at_field: string | null;
  freshness: SourceFreshness | null;
  columns: Record<string, ColumnInfo>;
  config: { enabled: boolean; tags: string[]; meta: Record<string, unknown> };
  /** The ingestion declaration (issue 5): where raw files or a topic land. Passed through as written. */
  landing?: Record<string, unknown> | null;
  patch_path: string | null;
}

export interface MacroNode {
  unique_id: string;
  resource_type: 'macro';
  package_name: string;
  name: string;
  path: string;
  original_file_path: string;
  macro_sql: string;
  depends_on: { macros: string[] };
  description: string;
  arguments: Array<{ name: string; type: string | null; description: string }>;
}

export type GraphNode = ModelNode | SeedNode | TestNode;

export interface ManifestMetadata {
  dbt_schema_version: string;
  qdbt_version: string;
  generated_at: string;
  invocation_id: string;
  project_name: string;
  adapter_type: string;
  env: Record<string, string>;
}

export interface Manifest {
  metadata: ManifestMetadata;
  nodes: Record<string, GraphNode>;
  sources: Record<string, SourceDefinition>;
  macros: Record<string, MacroNode>;
  /** Named selectors from selectors.yml, as written. */
  selectors: Record<string, unknown>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
  disabled: Record<string, Array<Pick<CompilableNode, 'unique_id' | 'resource_type' | 'original_file_path'>>>;
  docs: Record<string, unknown>;
  exposures: Record<string, unknown>;
  metrics: Record<string, unknown>;
  groups: Record<string, unknown>;
  semantic_models: Record<string, unknown>;
  saved_queries: Record<string, unknown>;
  unit_tests: Record<string, unknown>;
}

export function isModel(node: GraphNode | SourceDefinition): node is ModelNode {
  return node.resource_type === 'model';
}

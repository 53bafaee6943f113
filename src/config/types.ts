/** Validated contents of project.yml, profiles.yml, property YAML and selectors.yml. */

/** A config value together with where it was written, so later stages can point at it. */
export interface Located<T> {
  value: T;
  file: string;
  line: number;
  column: number;
}

/**
 * Node config as dbt spells it in manifests (`pre-hook`, not `pre_hook`), plus adapter keys
 * such as `file_format` and `partition_by`, which pass through untouched.
 */
export interface NodeConfig {
  enabled: boolean;
  materialized: string;
  schema?: string | null;
  alias?: string | null;
  database?: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  'pre-hook': string[];
  'post-hook': string[];
  persist_docs: { relation?: boolean; columns?: boolean };
  full_refresh?: boolean | null;
  on_schema_change?: string;
  incremental_strategy?: string | null;
  unique_key?: string | string[] | null;
  file_format?: string;
  partition_by?: string | string[] | null;
  [adapterKey: string]: unknown;
}

/** One level of the `models:` (or `seeds:`) tree in project.yml: `+key` configs and sub-folders. */
export interface ConfigTree {
  configs: Record<string, unknown>;
  children: Record<string, ConfigTree>;
}

export interface ProjectConfig {
  name: string;
  version: string;
  profile: string;
  configVersion: number;
  modelPaths: string[];
  macroPaths: string[];
  seedPaths: string[];
  testPaths: string[];
  analysisPaths: string[];
  targetPath: string;
  logPath: string;
  cleanTargets: string[];
  vars: Record<string, unknown>;
  models: ConfigTree;
  seeds: ConfigTree;
  tests: ConfigTree;
  sources: ConfigTree;
  onRunStart: string[];
  onRunEnd: string[];
  /** `local:` block: ports and heap sizes of the local stack (issue 3 owns its meaning). */
  local: Record<string, unknown>;
  /** Absolute path of project.yml. */
  file: string;
  /** dbt keys that were read but that qdbt does not act on (`snapshots`, `dispatch`, ...). */
  unsupported?: Array<Located<string>>;
}

export type HiveAuth = 'NONE' | 'NOSASL' | 'LDAP' | 'KERBEROS';
export type HiveTransport = 'binary' | 'http';

/** A resolved profile target (type `hive`), with env_var() already applied. */
export interface HiveTarget {
  /** The target's name in profiles.yml, e.g. `local`. */
  name: string;
  profileName: string;
  type: 'hive';
  host: string;
  port: number;
  auth: HiveAuth;
  transport: HiveTransport;
  /** For transport http: the HTTP path, e.g. `cliservice`. */
  httpPath?: string;
  user?: string;
  password?: string;
  /** Default schema (Hive database) models are built in. */
  schema: string;
  threads: number;
  /** Hive settings applied on every new session (`hive.exec.dynamic.partition.mode: nonstrict`). */
  session: Record<string, string>;
  tls?: { enabled: boolean; rejectUnauthorized?: boolean; ca?: string };
  kerberos?: { service?: string; principal?: string };
  connectTimeoutSeconds: number;
  retries: number;
  /** Everything else written in the target, passed through (e.g. `engine`, `hdfs_url`). */
  extra: Record<string, unknown>;
  /** profiles.yml that held it. */
  file: string;
}

/** A data test as written in property YAML (`- unique`, `- accepted_values: {values: [...]}`), normalized. */
export interface TestDefinition {
  /** Test name without namespace, e.g. `accepted_values`. */
  testName: string;
  /** `dbt_utils` in `dbt_utils.expression_is_true`; null when unqualified. */
  namespace: string | null;
  /** Arguments (dbt 1.10 `arguments:` and the older top-level form both land here). */
  kwargs: Record<string, unknown>;
  /** `config:` of the test (severity, where, limit, warn_if, error_if, store_failures, tags, enabled). */
  config: Record<string, unknown>;
  /** Optional explicit `name:` for the test node. */
  name: string | null;
  location: Located<null>;
}

export interface ColumnPatch {
  name: string;
  description: string;
  data_type: string | null;
  meta: Record<string, unknown>;
  tags: string[];
  tests: TestDefinition[];
  /** `quote:` of the column, when written. */
  quote?: boolean;
  location: Located<null>;
}

/** `models:` or `seeds:` entries: attach docs, columns, tests and config to a node by name. */
export interface NodePatch {
  name: string;
  description: string;
  config: Record<string, unknown>;
  columns: ColumnPatch[];
  tests: TestDefinition[];
  meta: Record<string, unknown>;
  /** `docs:` of the entry ({show, node_color}), when written. */
  docs?: { show: boolean; node_color?: string };
  location: Located<null>;
}

export interface FreshnessConfig {
  warn_after: { count: number; period: 'minute' | 'hour' | 'day' } | null;
  error_after: { count: number; period: 'minute' | 'hour' | 'day' } | null;
  filter: string | null;
}

export interface SourceTableDef {
  name: string;
  identifier: string | null;
  description: string;
  loaded_at_field: string | null;
  freshness: FreshnessConfig | null | undefined;
  columns: ColumnPatch[];
  tests: TestDefinition[];
  meta: Record<string, unknown>;
  tags: string[];
  /** Ingestion declaration (file pattern or topic, format, columns, aliases, partitioning...). */
  landing: Record<string, unknown> | null;
  /** `config:` of the table (e.g. `enabled`), when written. */
  config?: Record<string, unknown>;
  location: Located<null>;
}

export interface SourceDef {
  name: string;
  description: string;
  database: string | null;
  /** Defaults to the source name, as in dbt. */
  schema: string;
  loaded_at_field: string | null;
  freshness: FreshnessConfig | null;
  meta: Record<string, unknown>;
  tags: string[];
  config: Record<string, unknown>;
  tables: SourceTableDef[];
  /** `loader:` (free text, e.g. `kafka`), when written. */
  loader?: string;
  location: Located<null>;
}

/** One property YAML file (`models/**\/*.yml`), validated. */
export interface PropertyFile {
  /** Path relative to the project root. */
  path: string;
  models: NodePatch[];
  seeds: NodePatch[];
  sources: SourceDef[];
  /** `macros:` docs, kept as written. */
  macros: Array<{
    name: string;
    description: string;
    arguments: Array<{ name: string; type: string | null; description: string }>;
  }>;
  /** dbt keys that were read but that qdbt does not act on (`exposures`, `unit_tests`, ...). */
  unsupported?: Array<Located<string>>;
}

/**
 * The adapter: everything qdbt asks of a HiveServer2-protocol engine. SQL generation lives in
 * materialize/, not here; engine differences are capability flags, never `if (engine === ...)`.
 */

export type EngineName = 'hive' | 'spark' | 'kyuubi' | 'unknown';

export interface AdapterCapabilities {
  engine: EngineName;
  /** Server version as reported, e.g. `4.0.1`, `3.5.4`. */
  version: string;
  /** MERGE INTO / UPDATE / DELETE on transactional tables (genuine Hive with DbTxnManager). */
  supportsMerge: boolean;
  /** CREATE TABLE ... TBLPROPERTIES ('transactional'='true'). */
  supportsAcid: boolean;
  /** Text tables honour `skip.header.line.count` (false on Spark: use `USING csv OPTIONS (header 'true')`). */
  supportsSkipHeaderLine: boolean;
  /** `org.apache.hadoop.hive.serde2.JsonSerDe` is available (false on Spark: `USING json`). */
  supportsHiveJsonSerde: boolean;
  /** `ALTER TABLE a RENAME TO b` moves data and keeps it queryable (both engines here). */
  supportsRenameTable: boolean;
  /** `ANALYZE TABLE ... COMPUTE STATISTICS [FOR COLUMNS]`. */
  supportsAnalyze: boolean;
  /** `ALTER TABLE ... CHANGE COLUMN c c type COMMENT '...'` for persist_docs columns. */
  supportsColumnComments: boolean;
  /** Writes into a table with `transactional=true` are safe (false on Spark: they corrupt it for Hive). */
  canWriteTransactional: boolean;
  /** CREATE TABLE ... STORED AS parquet (Hive syntax); Spark takes it too with createHiveTableByDefault. */
  supportsStoredAs: boolean;
}

export interface ColumnDef {
  name: string;
  /** Hive type as the engine spells it, lower-case: `bigint`, `decimal(12,2)`, `string`. */
  type: string;
  comment?: string | null;
}

export type RelationKind = 'table' | 'view' | 'materialized_view';

export interface RelationInfo {
  schema: string;
  name: string;
  kind: RelationKind;
  /** Filled by describeRelation; listRelations may leave them undefined. */
  columns?: ColumnDef[];
  partitionColumns?: ColumnDef[];
  transactional?: boolean;
  external?: boolean;
  fileFormat?: string | null;
  location?: string | null;
  tableProperties?: Record<string, string>;
}

/** Values keep their precision: BIGINT beyond 2^53 as bigint, DECIMAL as its exact text. */
export type CellValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Buffer
  | unknown[]
  | Record<string, unknown>;

export interface QueryResult {
  columns: ColumnDef[];
  rows: CellValue[][];
  /** Rows written, where the engine reports them; null otherwise. */
  rowsAffected: number | null;
  /** Server-side duration in ms as measured by the client. */
  elapsedMs: number;
}

export interface ExecuteOptions {
  /** Aborting cancels the operation on the server. */
  signal?: AbortSignal;
  /** The node this statement belongs to, for logs. */
  nodeId?: string;
  /** Fetch at most this many rows (show, test failures). */
  maxRows?: number;
}

export interface Adapter {
  readonly capabilities: AdapterCapabilities;
  /** Run one statement (no trailing semicolon). Transient failures reconnect and retry; SQL errors throw at once. */
  execute(sql: string, options?: ExecuteOptions): Promise<QueryResult>;
  /** All tables and views of a schema: one metadata round trip per schema per invocation, cached. */
  listRelations(schema: string): Promise<Map<string, RelationInfo>>;
  /** Columns, partitions, format and properties of one relation; null if it does not exist. */
  describeRelation(schema: string, name: string): Promise<RelationInfo | null>;
  /** Forget cached metadata after a statement changed it. */
  invalidate(schema: string, name?: string): void;
  createSchemaIfMissing(schema: string): Promise<void>;
  /** Cancel every running operation (Ctrl-C). */
  cancelAll(): Promise<void>;
  close(): Promise<void>;
}

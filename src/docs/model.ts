/**
 * The docs data model: what index.html embeds, built from the manifest, the catalog, the landing
 * declarations with their ledger records, and the last run results. Pure: no I/O.
 *
 * Lineage starts in the lake: landed file → landing declaration → source → models → tests.
 */
import type { RunResults } from '../artifacts/runResults.js';
import type { LandingDeclaration } from '../ingest/landing/types.js';
import type { LedgerRecord } from '../ingest/ledger/index.js';
import type { ColumnInfo, GraphNode, Manifest, SourceDefinition, TestNode } from '../manifest/types.js';
import type { Catalog, CatalogTable } from './catalog.js';

export const DOCS_DATA_VERSION = 1;

export type DocsNodeKind = 'file' | 'landing' | 'source' | 'seed' | 'model' | 'test';

export interface DocsColumn {
  name: string;
  description: string;
  /** The warehouse's type (catalog), else the declared one (property YAML `data_type`, `landing:` columns). */
  type: string | null;
  /** Names of the data tests on this column. */
  tests: string[];
}

export interface DocsTestRef {
  id: string;
  name: string;
  column: string | null;
  status: string | null;
}

export interface DocsLanding {
  kind: 'batch' | 'stream';
  /** The file glob (batch) or the Kafka topic (stream). */
  pattern: string | null;
  topic: string | null;
  format: string;
  lake_path: string;
  partition_by: string;
  staging_table: string;
  columns: Array<{ name: string; type: string; required: boolean; aliases: string[] }>;
  /** Over the whole ledger, not only the files shown. */
  files_landed: number;
  files_quarantined: number;
  rows_landed: number;
  bytes_landed: number;
  last_landed_at: string | null;
  /** Files in the ledger that are not nodes of the graph (older than the latest shown). */
  files_not_shown: number;
}

export interface DocsFile {
  status: 'landed' | 'quarantined';
  source_file: string;
  source_path: string;
  checksum: string;
  /** Null for quarantined files. */
  rows: number | null;
  rows_rejected: number | null;
  bytes: number;
  landed_bytes: number | null;
  partition: string | null;
  path: string;
  at: string;
  version: number | null;
  reason: string | null;
}

export interface DocsNode {
  id: string;
  kind: DocsNodeKind;
  name: string;
  /** Where the list groups it: the file's folder (`models/staging`), `sources/<name>`, `lake/<source>`. */
  group: string;
  description: string;
  path: string | null;
  tags: string[];
  materialized: string | null;
  relation: string | null;
  raw_sql: string | null;
  compiled_sql: string | null;
  columns: DocsColumn[];
  tests: DocsTestRef[];
  /** The last run's status of this node (run_results.json), if it ran. */
  status: string | null;
  message: string | null;
  catalog: {
    type: string;
    owner: string | null;
    comment: string | null;
    stats: Record<string, unknown>;
  } | null;
  landing?: DocsLanding;
  file?: DocsFile;
}

export interface DocsData {
  version: number;
  project: string;
  qdbt_version: string;
  generated_at: string;
  invocation_id: string;
  /** What could not be read, for a banner: catalog skipped, ledger not read (and why). */
  notes: string[];
  catalog: { read: boolean };
  ledger: { read: boolean; files_per_source: number };
  run_results: { generated_at: string; which: string } | null;
  nodes: DocsNode[];
  /** [parent index, child index]. */
  edges: Array<[number, number]>;
}

export interface DocsInput {
  manifest: Manifest;
  catalog: Catalog | null;
  declarations: LandingDeclaration[];
  /** Ledger records per source unique_id; null when the ledger was not read. */
  ledger: Map<string, LedgerRecord[]> | null;
  runResults: RunResults | null;
  notes?: string[];
  /** Newest ledger files shown as graph nodes per source (the landing node counts the rest). */
  filesPerSource?: number;
  qdbtVersion: string;
  generatedAt?: Date;
}

export function landingNodeId(sourceId: string): string {
  return `landing.${sourceId.replace(/^source\./, '')}`;
}

export function fileNodeId(sourceId: string, record: Pick<LedgerRecord, 'id'>): string {
  return `file.${sourceId.replace(/^source\./, '')}.${record.id}`;
}

export function buildDocsData(input: DocsInput): DocsData {
  const { manifest } = input;
  const filesPerSource = input.filesPerSource ?? 10;
  const statusOf = new Map(
    (input.runResults?.results ?? []).map((r) => [r.unique_id, { status: r.status, message: r.message }]),
  );
  const testsOf = testsByAttachedNode(manifest, statusOf);
  const nodes: DocsNode[] = [];
  const edgeIds: Array<[string, string]> = [];

  for (const node of Object.values(manifest.nodes).sort(byId)) {
    nodes.push(graphNode(node, input.catalog, testsOf.get(node.unique_id) ?? [], statusOf));
    for (const parent of node.depends_on.nodes) edgeIds.push([parent, node.unique_id]);
  }
  const declarationOf = new Map(input.declarations.map((d) => [d.uniqueId, d]));
  for (const source of Object.values(manifest.sources).sort(byId)) {
    const declaration = declarationOf.get(source.unique_id);
    nodes.push(sourceNode(source, input.catalog, testsOf.get(source.unique_id) ?? [], declaration));
    if (!declaration) continue;
    const records = input.ledger?.get(source.unique_id) ?? [];
    const landing = landingNode(source, declaration, records, filesPerSource);
    nodes.push(landing);
    edgeIds.push([landing.id, source.unique_id]);
    for (const file of latestFiles(records, filesPerSource)) {
      nodes.push(fileNode(source, file));
      edgeIds.push([fileNodeId(source.unique_id, file), landing.id]);
    }
  }

  const indexOf = new Map(nodes.map((n, i) => [n.id, i]));
  const seen = new Set<string>();
  const edges: Array<[number, number]> = [];
  for (const [from, to] of edgeIds) {
    const a = indexOf.get(from);
    const b = indexOf.get(to);
    const key = `${a}>${b}`;
    if (a === undefined || b === undefined || seen.has(key)) continue;
    seen.add(key);
    edges.push([a, b]);
  }
  return {
    version: DOCS_DATA_VERSION,
    project: manifest.metadata.project_name,
    qdbt_version: input.qdbtVersion,
    generated_at: (input.generatedAt ?? new Date()).toISOString(),
    invocation_id: manifest.metadata.invocation_id,
    notes: input.notes ?? [],
    catalog: { read: input.catalog !== null },
    ledger: { read: input.ledger !== null, files_per_source: filesPerSource },
    run_results: input.runResults
      ? { generated_at: input.runResults.metadata.generated_at, which: input.runResults.args.which }
      : null,
    nodes,
    edges,
  };
}

function byId(a: { unique_id: string }, b: { unique_id: string }): number {
  return a.unique_id < b.unique_id ? -1 : a.unique_id > b.unique_id ? 1 : 0;
}

type Statuses = Map<string, { status: string; message: string | null }>;

function testsByAttachedNode(manifest: Manifest, statusOf: Statuses): Map<string, DocsTestRef[]> {
  const out = new Map<string, DocsTestRef[]>();
  for (const node of Object.values(manifest.nodes)) {
    if (node.resource_type !== 'test') continue;
    const test = node as TestNode;
    const ref: DocsTestRef = {
      id: test.unique_id,
      name: test.test_metadata?.name ?? test.name,
      column: test.column_name ?? null,
      status: statusOf.get(test.unique_id)?.status ?? null,
    };
    // Singular tests have no attached node: they belong to every node they read.
    const owners = test.attached_node ? [test.attached_node] : test.depends_on.nodes;
    for (const owner of owners) {
      const list = out.get(owner);
      if (list) list.push(ref);
      else out.set(owner, [ref]);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.id.localeCompare(b.id));
  return out;
}

function columnsOf(
  declared: Record<string, ColumnInfo>,
  table: CatalogTable | undefined,
  tests: DocsTestRef[],
  landingTypes: Map<string, string> = new Map(),
): DocsColumn[] {
  const byName = new Map<string, DocsColumn>();
  const testsOn = (name: string) =>
    tests.filter((t) => t.column?.toLowerCase() === name.toLowerCase()).map((t) => t.name);
  const fromCatalog = Object.values(table?.columns ?? {}).sort((a, b) => a.index - b.index);
  for (const column of fromCatalog)
    byName.set(column.name.toLowerCase(), {
      name: column.name,
      description: column.comment ?? '',
      type: column.type,
      tests: testsOn(column.name),
    });
  for (const [name, type] of landingTypes)
    if (!byName.has(name)) byName.set(name, { name, description: '', type, tests: testsOn(name) });
  for (const column of Object.values(declared)) {
    const key = column.name.toLowerCase();
    const known = byName.get(key);
    if (known) {
      if (column.description) known.description = column.description;
      known.type ??= column.data_type;
    } else
      byName.set(key, {
        name: column.name,
        description: column.description,
        type: column.data_type,
        tests: testsOn(column.name),
      });
  }
  return [...byName.values()];
}

function catalogSummary(table: CatalogTable | undefined): DocsNode['catalog'] {
  if (!table) return null;
  const stats: Record<string, unknown> = {};
  for (const stat of Object.values(table.stats)) if (stat.include) stats[stat.label] = stat.value;
  return { type: table.metadata.type, owner: table.metadata.owner, comment: table.metadata.comment, stats };
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash);
}

function graphNode(
  node: GraphNode,
  catalog: Catalog | null,
  tests: DocsTestRef[],
  statusOf: Statuses,
): DocsNode {
  const table = catalog?.nodes[node.unique_id];
  const ran = statusOf.get(node.unique_id);
  const isTest = node.resource_type === 'test';
  return {
    id: node.unique_id,
    kind: node.resource_type as DocsNodeKind,
    name: node.name,
    group: folderOf(node.original_file_path),
    description: node.description,
    path: node.original_file_path,
    tags: node.tags,
    materialized: isTest ? null : (node.config.materialized ?? null),
    relation: node.relation_name,
    raw_sql: node.resource_type === 'seed' ? null : node.raw_code,
    compiled_sql: node.compiled_code ?? null,
    columns: isTest ? [] : columnsOf(node.columns, table, tests),
    tests,
    status: ran?.status ?? null,
    message: ran?.message ?? null,
    catalog: catalogSummary(table),
  };
}

function sourceNode(
  source: SourceDefinition,
  catalog: Catalog | null,
  tests: DocsTestRef[],
  declaration: LandingDeclaration | undefined,
): DocsNode {
  const table = catalog?.sources[source.unique_id];
  const landingTypes = new Map((declaration?.columns ?? []).map((c) => [c.name.toLowerCase(), c.type]));
  return {
    id: source.unique_id,
    kind: 'source',
    name: `${source.source_name}.${source.name}`,
    group: `sources/${source.source_name}`,
    description: source.description || source.source_description,
    path: source.original_file_path,
    tags: source.tags,
    materialized: null,
    relation: source.relation_name,
    raw_sql: null,
    compiled_sql: null,
    columns: columnsOf(source.columns, table, tests, landingTypes),
    tests,
    status: null,
    message: null,
    catalog: catalogSummary(table),
  };
}

function landingNode(
  source: SourceDefinition,
  declaration: LandingDeclaration,
  records: LedgerRecord[],
  filesPerSource: number,
): DocsNode {
  let filesLanded = 0;
  let filesQuarantined = 0;
  let rowsLanded = 0;
  let bytesLanded = 0;
  let lastLandedAt: string | null = null;
  for (const r of records) {
    if (r.event === 'landed') {
      filesLanded++;
      rowsLanded += r.rows;
      bytesLanded += r.landed_bytes;
      if (!lastLandedAt || r.at > lastLandedAt) lastLandedAt = r.at;
    } else if (r.event === 'quarantined') filesQuarantined++;
  }
  const partitioning = declaration.partitioning;
  return {
    id: landingNodeId(source.unique_id),
    kind: 'landing',
    name:
      declaration.kind === 'stream' ? `topic ${declaration.topic}` : (declaration.filePattern ?? source.name),
    group: `lake/${source.source_name}`,
    description: `Lands ${declaration.kind === 'stream' ? `Kafka topic ${declaration.topic}` : `files matching ${declaration.filePattern}`} (${declaration.format}) under ${declaration.lakePath}/, read by ${source.source_name}.${source.name}.`,
    path: declaration.file,
    tags: [],
    materialized: null,
    relation: `${declaration.stagingTable.schema}.${declaration.stagingTable.name}`,
    raw_sql: null,
    compiled_sql: null,
    columns: declaration.columns.map((c) => ({ name: c.name, description: '', type: c.type, tests: [] })),
    tests: [],
    status: null,
    message: null,
    catalog: null,
    landing: {
      kind: declaration.kind,
      pattern: declaration.filePattern,
      topic: declaration.topic,
      format: declaration.format,
      lake_path: `${declaration.lakePath}/`,
      partition_by:
        partitioning.kind === 'ingestion_time' ? 'ingestion_time' : `event_time: ${partitioning.field}`,
      staging_table: `${declaration.stagingTable.schema}.${declaration.stagingTable.name}`,
      columns: declaration.columns.map((c) => ({ ...c, aliases: [...c.aliases] })),
      files_landed: filesLanded,
      files_quarantined: filesQuarantined,
      rows_landed: rowsLanded,
      bytes_landed: bytesLanded,
      last_landed_at: lastLandedAt,
      files_not_shown: Math.max(0, filesLanded + filesQuarantined - filesPerSource),
    },
  };
}

type FileRecord = Extract<LedgerRecord, { event: 'landed' | 'quarantined' }>;

/** The newest landed or quarantined files, newest first. */
export function latestFiles(records: LedgerRecord[], count: number): FileRecord[] {
  return records
    .filter((r): r is FileRecord => r.event === 'landed' || r.event === 'quarantined')
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, Math.max(0, count));
}

function partitionText(partition: Record<string, string> | undefined): string | null {
  if (!partition) return null;
  const parts = Object.entries(partition).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join('/') : null;
}

function fileNode(source: SourceDefinition, record: FileRecord): DocsNode {
  const landed = record.event === 'landed' ? record : null;
  const file: DocsFile = {
    status: record.event,
    source_file: record.source_file,
    source_path: record.source_path,
    checksum: record.checksum,
    rows: landed?.rows ?? null,
    rows_rejected: landed?.rows_rejected ?? null,
    bytes: record.bytes,
    landed_bytes: landed?.landed_bytes ?? null,
    partition: partitionText(landed?.partition),
    path: record.path,
    at: record.at,
    version: landed?.version ?? null,
    reason: record.event === 'quarantined' ? record.reason : null,
  };
  return {
    id: fileNodeId(source.unique_id, record),
    kind: 'file',
    name: record.source_file,
    group: `lake/${source.source_name}`,
    description: landed
      ? `Landed ${landed.rows} rows (${landed.rows_rejected} rejected) into ${file.partition ?? 'the lake'} at ${record.at}.`
      : `Quarantined at ${record.at}: ${file.reason}`,
    path: record.path,
    tags: [],
    materialized: null,
    relation: null,
    raw_sql: null,
    compiled_sql: null,
    columns: [],
    tests: [],
    status: record.event,
    message: file.reason,
    catalog: null,
    file,
  };
}

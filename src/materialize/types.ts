/**
 * The hand-off between the runner and materializations: what one node's execution gets, and
 * what it reports back. Materializations decide the statements; the runner decides the order,
 * the parallelism, retries of whole nodes, and the output.
 */
import type { Adapter } from '../adapters/types.js';
import type { GraphNode, Manifest } from '../manifest/types.js';

export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn';

export interface NodeOutcome {
  status: NodeStatus;
  /** dbt-style short message: `OK created table`, `INSERT 1200`, `FAIL 3`. */
  message: string;
  rowsAffected: number | null;
  /** Data tests: number of failing rows (after fail_calc). */
  failures: number | null;
  /** What the engine said, for run_results.json (`adapter_response`). */
  adapterResponse: Record<string, unknown>;
}

export interface NodeRunContext {
  adapter: Adapter;
  manifest: Manifest;
  /** The node, already compiled (`compiled_code` set). */
  node: GraphNode;
  fullRefresh: boolean;
  vars: Record<string, unknown>;
  /** Render a hook or macro-bearing SQL snippet with the node's template context. */
  renderTemplate(sql: string): string;
  /** Compile the node again with `is_incremental()` true (incremental models on an existing table). */
  recompile(options: { isIncremental: boolean }): string;
  /** Stores test failures, uploads seeds: the target's extra settings (`hdfs_url`, ...). */
  targetExtra: Record<string, unknown>;
  /** The project root (seeds are read from it). */
  projectDir: string;
  signal: AbortSignal;
  /** Progress and debug lines for the log file (and the console with --debug). */
  log(message: string): void;
}

export type NodeExecutor = (context: NodeRunContext) => Promise<NodeOutcome>;

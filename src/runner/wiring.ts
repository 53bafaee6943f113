/**
 * The runner's two collaborators: the adapter factory and the materializations. Commands use the
 * real ones; unit tests and the benchmark pass fakes.
 */
import { createAdapter } from '../adapters/index.js';
import type { Adapter } from '../adapters/types.js';
import type { HiveTarget } from '../config/types.js';
import type { GraphNode } from '../manifest/types.js';
import { executorFor } from '../materialize/index.js';
import type { NodeExecutor } from '../materialize/types.js';

export interface AdapterOptions {
  /** Debug lines: connects, retries, Hive's operation log and progress. */
  log?: (line: string) => void;
  /** Sessions at most. */
  threads?: number;
}

export interface RunnerDeps {
  createAdapter(target: HiveTarget, options?: AdapterOptions): Promise<Adapter>;
  executorFor(node: GraphNode): NodeExecutor;
}

/** The real adapter and materializations. */
export async function defaultDeps(): Promise<RunnerDeps> {
  return { createAdapter, executorFor };
}

/** Adapter only (show, run-operation, source freshness). */
export async function defaultCreateAdapter(): Promise<RunnerDeps['createAdapter']> {
  return createAdapter;
}

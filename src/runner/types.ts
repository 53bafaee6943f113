/** What the runner reports about each node, and the events a run emits. */
import type { NodeOutcome, NodeStatus } from '../materialize/types.js';

export type ResultStatus = NodeStatus | 'runtime error';

export interface NodeResult {
  uniqueId: string;
  status: ResultStatus;
  message: string;
  rowsAffected: number | null;
  failures: number | null;
  adapterResponse: Record<string, unknown>;
  /** ISO timestamps; null for nodes that never started. */
  startedAt: string | null;
  completedAt: string | null;
  /** Seconds. */
  executionTime: number;
  threadId: string | null;
  /** 1-based position in the run's output (`3 of 12`). */
  index: number;
  /** For skips: the node whose failure caused it. */
  skippedBecause?: string | null;
}

export type SchedulerEvent =
  | { kind: 'start'; uniqueId: string; index: number; total: number; threadId: string }
  | { kind: 'finish'; uniqueId: string; index: number; total: number; result: NodeResult }
  | { kind: 'skip'; uniqueId: string; index: number; total: number; result: NodeResult };

/** Runs one node; throwing counts as status `error` with the error's message. */
export type NodeRunner = (uniqueId: string, signal: AbortSignal, threadId: string) => Promise<NodeOutcome>;

export interface RunCounts {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  total: number;
}

export function countResults(results: Array<Pick<NodeResult, 'status'>>): RunCounts {
  const counts: RunCounts = { pass: 0, warn: 0, error: 0, skip: 0, total: results.length };
  for (const r of results) {
    if (r.status === 'success' || r.status === 'pass') counts.pass++;
    else if (r.status === 'warn') counts.warn++;
    else if (r.status === 'skipped') counts.skip++;
    else counts.error++;
  }
  return counts;
}

export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** 0 when nothing failed, 1 when a node errored or a test failed, 130/143 when cancelled by a signal. */
export function exitCodeFor(
  results: Array<Pick<NodeResult, 'status'>>,
  cancelledBy?: NodeJS.Signals | null,
): number {
  if (cancelledBy === 'SIGINT') return EXIT_SIGINT;
  if (cancelledBy) return EXIT_SIGTERM;
  return countResults(results).error > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/**
 * target/run_results.json: what happened to each node of the last run. Field names are dbt's
 * run_results v5 (`results[].unique_id, status, timing, thread_id, execution_time,
 * adapter_response, message, failures, compiled_code, relation_name`) plus `compiled_path`.
 * Schema: schemas/run_results.v1.json. Read back by `qdbt retry`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QdbtError } from '../errors.js';
import { QDBT_VERSION } from '../version.js';
import { writeFileAtomic } from './writeArtifacts.js';

export const RUN_RESULTS_SCHEMA_VERSION = 'https://qdbt.dev/schemas/run_results/v1.json';

export type RunResultStatus = 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn' | 'runtime error';

export interface TimingInfo {
  name: 'compile' | 'execute';
  started_at: string;
  completed_at: string;
}

export interface RunResultEntry {
  unique_id: string;
  status: RunResultStatus;
  timing: TimingInfo[];
  thread_id: string | null;
  /** Seconds. */
  execution_time: number;
  adapter_response: Record<string, unknown>;
  message: string | null;
  failures: number | null;
  compiled_code: string | null;
  /** Relative to the project root, e.g. `target/compiled/proj/models/a.sql`. */
  compiled_path: string | null;
  relation_name: string | null;
  /** source freshness only. */
  max_loaded_at?: string | null;
  snapshotted_at?: string | null;
  max_loaded_at_time_ago_in_s?: number | null;
}

export interface RunResultsArgs {
  /** The command: run, seed, test, build, source freshness... */
  which: string;
  select?: string[];
  exclude?: string[];
  selector?: string;
  threads?: number;
  full_refresh?: boolean;
  fail_fast?: boolean;
  vars?: string;
  target?: string;
  [key: string]: unknown;
}

export interface RunResults {
  metadata: {
    dbt_schema_version: string;
    qdbt_version: string;
    generated_at: string;
    invocation_id: string;
    env: Record<string, string>;
  };
  results: RunResultEntry[];
  /** Seconds the whole invocation took. */
  elapsed_time: number;
  args: RunResultsArgs;
}

export function buildRunResults(input: {
  invocationId: string;
  results: RunResultEntry[];
  elapsedTime: number;
  args: RunResultsArgs;
  generatedAt?: Date;
}): RunResults {
  return {
    metadata: {
      dbt_schema_version: RUN_RESULTS_SCHEMA_VERSION,
      qdbt_version: QDBT_VERSION,
      generated_at: (input.generatedAt ?? new Date()).toISOString(),
      invocation_id: input.invocationId,
      env: {},
    },
    results: input.results,
    elapsed_time: input.elapsedTime,
    args: input.args,
  };
}

export function writeRunResults(targetDir: string, runResults: RunResults): string {
  mkdirSync(targetDir, { recursive: true });
  const path = join(targetDir, 'run_results.json');
  writeFileAtomic(
    path,
    `${JSON.stringify(runResults, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
  return path;
}

/** Read and check target/run_results.json; usage errors when it is missing or of another version. */
export function readRunResults(targetDir: string): RunResults {
  const path = join(targetDir, 'run_results.json');
  if (!existsSync(path)) {
    throw new QdbtError('usage', `no run_results.json in ${targetDir}`, {
      hint: 'Run `qdbt run`, `test`, `seed` or `build` first.',
    });
  }
  let parsed: RunResults;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as RunResults;
  } catch (error) {
    throw new QdbtError('usage', `${path} is not valid JSON (${(error as Error).message})`);
  }
  const version = parsed?.metadata?.dbt_schema_version;
  if (version !== RUN_RESULTS_SCHEMA_VERSION || !Array.isArray(parsed.results)) {
    throw new QdbtError(
      'usage',
      `${path} has schema version ${String(version)}, expected ${RUN_RESULTS_SCHEMA_VERSION}`,
      {
        hint: 'It was written by another tool or version; run the command again instead of retrying.',
      },
    );
  }
  return parsed;
}

/** The nodes `qdbt retry` runs again: those that errored, failed or were skipped. */
export function nodesToRetry(runResults: RunResults): string[] {
  const retry = new Set<RunResultStatus>(['error', 'fail', 'skipped', 'runtime error']);
  return runResults.results.filter((r) => retry.has(r.status)).map((r) => r.unique_id);
}

/**
 * One `qdbt run | seed | test | build | retry` invocation: select, compile, connect, run the
 * on-run-start hooks, schedule the nodes, run the on-run-end hooks, write run_results.json and
 * print the summary. Returns the exit code; the command only wires flags to it.
 */
import { join } from 'node:path';
import type { Adapter } from '../adapters/types.js';
import {
  buildRunResults,
  writeRunResults,
  type RunResultEntry,
  type RunResultsArgs,
} from '../artifacts/runResults.js';
import { writeCompiledFiles, writeManifest } from '../artifacts/writeArtifacts.js';
import type { GlobalOptions } from '../cli/globalOptions.js';
import { parseVarsFlag } from '../config/index.js';
import { QdbtError, QdbtErrors } from '../errors.js';
import type { GraphNode } from '../manifest/types.js';
import { loadProject, type LoadedProject } from '../project/loadProject.js';
import { compileSelected, selectFor, type ResourceKind } from '../project/selectAndCompile.js';
import { withLogFile, type LoggingReporter } from '../reporters/logFile.js';
import type { Reporter } from '../reporters/reporter.js';
import { finishLine, startLine, summaryEvents, type NodeLabel } from '../reporters/runLines.js';
import { runHooks } from './hooks.js';
import { foundLine, labelFor } from './labels.js';
import { createContextFactory } from './nodeContext.js';
import { isEphemeral, planRun, type RunPlan } from './plan.js';
import { defaultBlocks, Scheduler } from './scheduler.js';
import { observedAdapter } from './observedAdapter.js';
import { onCancelSignals, type SignalSource } from './signals.js';
import { countResults, exitCodeFor, type NodeResult, type SchedulerEvent } from './types.js';
import { defaultDeps, type RunnerDeps } from './wiring.js';

export type RunWhich = 'run' | 'seed' | 'test' | 'build';

export interface RunNodesOptions {
  which: RunWhich;
  global: GlobalOptions;
  fullRefresh: boolean;
  failFast: boolean;
  /** `qdbt retry`: exactly these nodes, instead of a selection. */
  uniqueIds?: string[];
}

export interface RunNodesEnv {
  reporter: Reporter;
  /** Adapter factory and materializations; the real ones by default. */
  deps?: RunnerDeps;
  /** Where SIGINT/SIGTERM come from (tests pass an EventEmitter). */
  signals?: SignalSource;
  /** An already loaded project (tests, retry). */
  project?: LoadedProject;
}

export interface RunNodesOutcome {
  exitCode: number;
  results: NodeResult[];
  runResultsPath: string | null;
  cancelledBy: NodeJS.Signals | null;
}

const RESOURCE_TYPES: Record<RunWhich, ResourceKind[]> = {
  run: ['model'],
  seed: ['seed'],
  test: ['test'],
  build: ['model', 'seed', 'test'],
};

export async function runNodes(options: RunNodesOptions, env: RunNodesEnv): Promise<RunNodesOutcome> {
  const startedAt = performance.now();
  const project = env.project ?? loadProject(options.global);
  const logPath = join(project.projectDir, project.config.logPath, 'qdbt.log');
  const reporter = withLogFile(env.reporter, logPath, project.invocationId);
  try {
    return await runLoaded(project, options, { ...env, reporter }, startedAt);
  } finally {
    reporter.close();
  }
}

async function runLoaded(
  project: LoadedProject,
  options: RunNodesOptions,
  env: RunNodesEnv & { reporter: LoggingReporter },
  startedAt: number,
): Promise<RunNodesOutcome> {
  const { reporter } = env;
  const manifest = project.parsed.manifest;
  for (const warning of project.parsed.warnings)
    reporter.emit({ name: 'parse_warning', level: 'warn', message: warning });

  const ids = selectIds(project, options, reporter);
  const compileErrors = compileAll(
    project,
    ids.filter((id) => manifest.nodes[id]?.resource_type !== 'seed'),
  );
  await writeCompiledFiles(
    project.projectDir,
    ids.map((id) => manifest.nodes[id]!).filter((n) => n.compiled_path),
  );
  writeManifest(project.targetDir, manifest);

  const plan = planRun(manifest, project.graph, ids, { testsGateChildren: options.which === 'build' });
  const threads = options.global.threads ?? project.target.threads ?? 1;
  reporter.emit({ name: 'found', level: 'info', message: foundLine(manifest) });
  const args = runArgs(options, threads);
  if (plan.order.length === 0) {
    reporter.emit({
      name: 'nothing_to_do',
      level: 'warn',
      message: 'Nothing to do. Try checking your model configs and model specification args',
    });
    const path = writeRunResults(
      project.targetDir,
      buildRunResults({
        invocationId: project.invocationId,
        results: [],
        elapsedTime: elapsed(startedAt),
        args,
      }),
    );
    return { exitCode: 0, results: [], runResultsPath: path, cancelledBy: null };
  }

  const deps = env.deps ?? (await defaultDeps());
  const adapter = observedAdapter(
    await deps.createAdapter(project.target, {
      threads,
      log: (line) => reporter.emit({ name: 'adapter_log', level: 'debug', message: line }),
    }),
    reporter,
  );
  let scheduler: Scheduler | null = null;
  const runAbort = new AbortController();
  const signals = onCancelSignals(
    (signal) => {
      reporter.emit({
        name: 'cancel',
        level: 'warn',
        message: `${signal} received: cancelling the running operations on the server (press again to exit at once)`,
      });
      runAbort.abort();
      if (scheduler) scheduler.cancel(`${signal} received`);
      else void adapter.cancelAll().catch(() => undefined);
    },
    { source: env.signals },
  );
  try {
    reporter.emit({
      name: 'concurrency',
      level: 'info',
      message: `Concurrency: ${threads} threads (target='${project.target.name}')`,
    });
    reporter.emit({ name: 'blank', level: 'info', message: '' });

    const schemas = schemasOf(plan, project);
    const hookError =
      (await runHooks({
        kind: 'on-run-start',
        project,
        adapter,
        reporter,
        context: { schemas },
        signal: runAbort.signal,
      })) ?? (await createSchemas(adapter, schemas, reporter));

    const labels = new Map<string, NodeLabel>(plan.order.map((id) => [id, labelFor(manifest.nodes[id]!)]));
    const onEvent = (event: SchedulerEvent) => reportEvent(reporter, event, labels.get(event.uniqueId)!);
    const contextFor = createContextFactory({
      project,
      adapter,
      fullRefresh: options.fullRefresh,
      vars: varsOf(project, options.global),
      log: (uniqueId, message) =>
        reporter.emit({
          name: 'node_log',
          level: 'debug',
          message: `${uniqueId}: ${message}`,
          data: { unique_id: uniqueId },
        }),
    });
    scheduler = new Scheduler(
      plan,
      async (id, signal) => {
        const compileError = compileErrors.get(id);
        if (compileError) throw compileError;
        const node = manifest.nodes[id]!;
        return deps.executorFor(node)(contextFor(node, signal));
      },
      {
        threads,
        failFast: options.failFast,
        onEvent,
        blocks: (id, result) => blocks(manifest.nodes[id]!, result),
        onCancel: () => adapter.cancelAll(),
      },
    );
    if (hookError !== null) scheduler.cancel(`on-run-start failed: ${hookError}`);
    if (signals.received) scheduler.cancel(`${signals.received} received`);
    const results = await scheduler.run();

    let endError: string | null = null;
    if (!signals.received) {
      endError = await runHooks({
        kind: 'on-run-end',
        project,
        adapter,
        reporter,
        context: {
          schemas,
          results: results.map((r) => ({
            unique_id: r.uniqueId,
            status: r.status,
            message: r.message,
            node: manifest.nodes[r.uniqueId],
          })),
        },
      });
    }

    const seconds = elapsed(startedAt);
    const entries = results.map((r) => toEntry(r, manifest.nodes[r.uniqueId]!));
    const runResultsPath = writeRunResults(
      project.targetDir,
      buildRunResults({ invocationId: project.invocationId, results: entries, elapsedTime: seconds, args }),
    );
    const counts = countResults(results);
    if (hookError !== null || endError !== null) counts.error += 0;
    for (const event of summaryEvents(
      results.map((r) => ({ label: labels.get(r.uniqueId)!, result: r })),
      counts,
      seconds,
    )) {
      reporter.emit(event);
    }
    const cancelledBy = signals.received;
    if (cancelledBy) {
      const running = results.filter((r) => r.status === 'error' && r.message.startsWith('Cancelled')).length;
      reporter.emit({
        name: 'cancelled',
        level: 'error',
        message: `Cancelled by ${cancelledBy}: ${running} running node${running === 1 ? '' : 's'} cancelled on the server, ${counts.skip} not run. \`qdbt retry\` runs them again.`,
        data: { signal: cancelledBy, cancelled: running, skipped: counts.skip },
      });
    }
    let exitCode = exitCodeFor(results, cancelledBy);
    if (exitCode === 0 && (hookError !== null || endError !== null)) exitCode = 1;
    return { exitCode, results, runResultsPath, cancelledBy };
  } finally {
    signals.dispose();
    await adapter.close().catch(() => undefined);
  }
}

function selectIds(project: LoadedProject, options: RunNodesOptions, reporter: Reporter): string[] {
  const manifest = project.parsed.manifest;
  if (options.uniqueIds) {
    const known = options.uniqueIds.filter((id) => manifest.nodes[id] !== undefined);
    const gone = options.uniqueIds.filter((id) => manifest.nodes[id] === undefined);
    if (gone.length > 0)
      reporter.emit({
        name: 'retry_missing',
        level: 'warn',
        message: `Not in the project any more, not retried: ${gone.join(', ')}`,
      });
    return known;
  }
  const { selected, warnings } = selectFor(project, options.global, RESOURCE_TYPES[options.which]);
  for (const warning of warnings)
    reporter.emit({ name: 'selection_warning', level: 'warn', message: warning });
  return [...selected].filter((id) => {
    const node = manifest.nodes[id];
    return node !== undefined && !isEphemeral(node) && node.config.enabled !== false;
  });
}

/** Compile in one batch; if that fails, node by node, so one broken model fails alone. */
function compileAll(project: LoadedProject, ids: string[]): Map<string, Error> {
  const errors = new Map<string, Error>();
  if (ids.length === 0) return errors;
  try {
    compileSelected(project, ids);
    return errors;
  } catch (error) {
    if (!(error instanceof QdbtError || error instanceof QdbtErrors)) throw error;
  }
  for (const id of ids) {
    try {
      compileSelected(project, [id]);
    } catch (error) {
      if (error instanceof QdbtError) errors.set(id, new Error(`Compilation Error: ${error.format()}`));
      else if (error instanceof QdbtErrors) errors.set(id, new Error(`Compilation Error: ${error.message}`));
      else throw error;
    }
  }
  return errors;
}

function blocks(node: GraphNode, result: NodeResult): boolean {
  if (!defaultBlocks(node.unique_id, result)) return false;
  if (node.resource_type === 'test') return String(node.config.severity ?? 'error').toLowerCase() !== 'warn';
  return true;
}

function schemasOf(plan: RunPlan, project: LoadedProject): string[] {
  const schemas = new Set<string>();
  for (const id of plan.order) {
    const node = project.parsed.manifest.nodes[id]!;
    if (node.resource_type === 'model' || node.resource_type === 'seed') schemas.add(node.schema);
  }
  return [...schemas].sort();
}

async function createSchemas(
  adapter: Adapter,
  schemas: string[],
  reporter: Reporter,
): Promise<string | null> {
  for (const schema of schemas) {
    try {
      await adapter.createSchemaIfMissing(schema);
    } catch (error) {
      const message = `could not create schema ${schema}: ${error instanceof Error ? error.message : String(error)}`;
      reporter.emit({ name: 'schema_error', level: 'error', message });
      return message;
    }
  }
  return null;
}

function reportEvent(reporter: Reporter, event: SchedulerEvent, label: NodeLabel): void {
  const base = {
    unique_id: event.uniqueId,
    index: event.index,
    total: event.total,
    resource_type: label.kind,
    name: label.name,
    relation: label.relation,
  };
  if (event.kind === 'start') {
    reporter.emit({
      name: 'node_started',
      level: 'info',
      message: startLine(label, event.index, event.total),
      data: { ...base, thread_id: event.threadId },
    });
    return;
  }
  const r = event.result;
  const level = r.status === 'error' || r.status === 'fail' ? 'error' : r.status === 'warn' ? 'warn' : 'info';
  reporter.emit({
    name: event.kind === 'skip' ? 'node_skipped' : 'node_finished',
    level,
    message: finishLine(label, event.index, event.total, r),
    data: {
      ...base,
      status: r.status,
      message: r.message,
      execution_time: r.executionTime,
      rows_affected: r.rowsAffected,
      failures: r.failures,
      thread_id: r.threadId,
      skipped_because: r.skippedBecause ?? null,
    },
  });
}

function toEntry(result: NodeResult, node: GraphNode): RunResultEntry {
  const timing =
    result.startedAt && result.completedAt
      ? [{ name: 'execute' as const, started_at: result.startedAt, completed_at: result.completedAt }]
      : [];
  const adapterResponse = { ...result.adapterResponse };
  if (result.rowsAffected !== null && adapterResponse.rows_affected === undefined)
    adapterResponse.rows_affected = result.rowsAffected;
  return {
    unique_id: result.uniqueId,
    status: result.status,
    timing,
    thread_id: result.threadId,
    execution_time: result.executionTime,
    adapter_response: adapterResponse,
    message: result.message,
    failures: result.failures,
    compiled_code: node.resource_type === 'seed' ? null : (node.compiled_code ?? null),
    compiled_path: node.compiled_path ?? null,
    relation_name: node.relation_name ?? null,
  };
}

function runArgs(options: RunNodesOptions, threads: number): RunResultsArgs {
  const g = options.global;
  const args: RunResultsArgs = {
    which: options.which,
    threads,
    full_refresh: options.fullRefresh,
    fail_fast: options.failFast,
  };
  if (g.select) args.select = g.select;
  if (g.exclude) args.exclude = g.exclude;
  if (g.selector) args.selector = g.selector;
  if (g.vars) args.vars = g.vars;
  if (g.target) args.target = g.target;
  return args;
}

function varsOf(project: LoadedProject, global: GlobalOptions): Record<string, unknown> {
  return { ...project.config.vars, ...(global.vars ? parseVarsFlag(global.vars) : {}) };
}

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt) / 1000;
}

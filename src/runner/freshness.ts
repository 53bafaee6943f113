/**
 * `qdbt source freshness`: for each selected source with a `warn_after` or `error_after`, find when
 * it was last loaded and compare the age with the rules: with a `loaded_at_field`, ask for
 * `max(loaded_at_field)` and the server's `current_timestamp()`; without one, a source that qdbt
 * ingests in batches (a `landing:` block) is as fresh as the last file its ledger records.
 * Results go to target/sources.json; the same lines as a run on screen.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Adapter, CellValue } from '../adapters/types.js';
import { writeFileAtomic } from '../artifacts/writeArtifacts.js';
import type { GlobalOptions } from '../cli/globalOptions.js';
import type { SourceDefinition, SourceFreshnessRule } from '../manifest/types.js';
import type { NodeOutcome } from '../materialize/types.js';
import { loadProject, type LoadedProject } from '../project/loadProject.js';
import { selectFor } from '../project/selectAndCompile.js';
import { withLogFile } from '../reporters/logFile.js';
import type { Reporter } from '../reporters/reporter.js';
import { finishLine, startLine, summaryEvents, type NodeLabel } from '../reporters/runLines.js';
import { QDBT_VERSION } from '../version.js';
import { webHdfsClientFor } from '../ingest/context.js';
import { landingDeclarations } from '../ingest/landing/declarations.js';
import type { LandingDeclaration } from '../ingest/landing/types.js';
import { lastLanded, readLedger } from '../ingest/ledger/index.js';
import { Scheduler } from './scheduler.js';
import { onCancelSignals, type SignalSource } from './signals.js';
import { countResults, exitCodeFor, type NodeResult } from './types.js';
import { defaultCreateAdapter, type RunnerDeps } from './wiring.js';

export const SOURCES_SCHEMA_VERSION = 'https://qdbt.dev/schemas/sources/v1.json';

const PERIOD_SECONDS: Record<SourceFreshnessRule['period'], number> = { minute: 60, hour: 3600, day: 86400 };

export function ruleSeconds(rule: SourceFreshnessRule | null): number | null {
  return rule ? rule.count * PERIOD_SECONDS[rule.period] : null;
}

/** pass, warn or error (stale) for an age in seconds. */
export function freshnessStatus(
  ageSeconds: number,
  freshness: Pick<NonNullable<SourceDefinition['freshness']>, 'warn_after' | 'error_after'>,
): 'pass' | 'warn' | 'error' {
  const errorAfter = ruleSeconds(freshness.error_after);
  const warnAfter = ruleSeconds(freshness.warn_after);
  if (errorAfter !== null && ageSeconds > errorAfter) return 'error';
  if (warnAfter !== null && ageSeconds > warnAfter) return 'warn';
  return 'pass';
}

export function freshnessSql(source: SourceDefinition): string {
  const filter = source.freshness?.filter;
  return `select max(${source.loaded_at_field}) as max_loaded_at, current_timestamp() as snapshotted_at from ${source.relation_name}${filter ? ` where ${filter}` : ''}`;
}

/** Hive timestamps come as `YYYY-MM-DD HH:MM:SS[.f]` text in the server's zone; read both ends the same way. */
export function parseHiveTimestamp(value: CellValue): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    return new Date(n < 1e12 ? n * 1000 : n);
  }
  const text = String(value).trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?/.exec(text);
  if (!m) return null;
  const fraction = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  const date = new Date(`${m[1]}T${m[2] ?? '00:00:00'}${fraction}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

interface FreshnessDetail {
  max_loaded_at: string | null;
  snapshotted_at: string | null;
  max_loaded_at_time_ago_in_s: number | null;
}

export interface FreshnessOptions {
  global: GlobalOptions;
  /** Where sources.json goes (default target/sources.json). */
  output?: string;
}

export interface FreshnessEnv {
  reporter: Reporter;
  createAdapter?: RunnerDeps['createAdapter'];
  project?: LoadedProject;
  signals?: SignalSource;
}

export async function sourceFreshness(
  options: FreshnessOptions,
  env: FreshnessEnv,
): Promise<{ exitCode: number; results: NodeResult[] }> {
  const startedAt = performance.now();
  const project = env.project ?? loadProject(options.global);
  const reporter = withLogFile(
    env.reporter,
    join(project.projectDir, project.config.logPath, 'qdbt.log'),
    project.invocationId,
  );
  try {
    const manifest = project.parsed.manifest;
    const { selected, warnings } = selectFor(project, options.global, ['source']);
    for (const w of warnings) reporter.emit({ name: 'selection_warning', level: 'warn', message: w });
    const ledgerDeclarations = batchDeclarations(project);
    const sources = [...selected]
      .map((id) => manifest.sources[id])
      .filter(
        (s): s is SourceDefinition =>
          s !== undefined &&
          (s.loaded_at_field !== null || ledgerDeclarations.has(s.unique_id)) &&
          s.freshness !== null &&
          (s.freshness.warn_after !== null || s.freshness.error_after !== null),
      )
      .sort((a, b) => (a.unique_id < b.unique_id ? -1 : 1));
    if (sources.length === 0) {
      reporter.emit({
        name: 'nothing_to_do',
        level: 'warn',
        message:
          'No selected source has a warn_after or error_after and a loaded_at_field or a batch landing: block: nothing to check',
      });
      return { exitCode: 0, results: [] };
    }
    const hdfs = [...ledgerDeclarations.keys()].some((id) => byIdOf(sources).has(id))
      ? webHdfsClientFor(project.target)
      : null;
    const createAdapter = env.createAdapter ?? (await defaultCreateAdapter());
    const adapter: Adapter = await createAdapter(project.target, {
      threads: options.global.threads ?? project.target.threads,
      log: (line) => reporter.emit({ name: 'adapter_log', level: 'debug', message: line }),
    });
    const byId = new Map(sources.map((s) => [s.unique_id, s]));
    const labels = new Map<string, NodeLabel>(
      sources.map((s) => [
        s.unique_id,
        {
          uniqueId: s.unique_id,
          kind: 'source',
          name: `${s.source_name}.${s.name}`,
          relation: `${s.source_name}.${s.name}`,
          file: s.original_file_path,
        },
      ]),
    );
    const details = new Map<string, FreshnessDetail>();
    const threads = options.global.threads ?? project.target.threads ?? 1;
    let scheduler: Scheduler | null = null;
    const signals = onCancelSignals(
      (signal) => {
        reporter.emit({
          name: 'cancel',
          level: 'warn',
          message: `${signal} received: cancelling the running queries on the server`,
        });
        scheduler?.cancel(`${signal} received`);
      },
      { source: env.signals },
    );
    try {
      scheduler = new Scheduler(
        { order: sources.map((s) => s.unique_id), parents: new Map() },
        async (id, signal) => {
          const source = byId.get(id)!;
          if (source.loaded_at_field === null) {
            const landed = lastLanded(await readLedger(hdfs!, ledgerDeclarations.get(id)!));
            const now = new Date();
            const maxLoaded = landed ? new Date(landed.at) : null;
            const age = maxLoaded ? (now.getTime() - maxLoaded.getTime()) / 1000 : null;
            details.set(id, {
              max_loaded_at: maxLoaded?.toISOString() ?? null,
              snapshotted_at: now.toISOString(),
              max_loaded_at_time_ago_in_s: age,
            });
            return {
              status: age === null ? 'error' : freshnessStatus(age, source.freshness!),
              message:
                age === null
                  ? `nothing landed yet (ledger under ${ledgerDeclarations.get(id)!.lakePath})`
                  : `last file landed ${formatAge(age)} ago (${landed!.source_file})`,
              rowsAffected: null,
              failures: null,
              adapterResponse: { _message: 'OK' },
            } satisfies NodeOutcome;
          }
          const sql = freshnessSql(source);
          reporter.emit({ name: 'freshness_sql', level: 'debug', message: `${id}: ${sql}` });
          const result = await adapter.execute(sql, { signal, nodeId: id });
          const row = result.rows[0] ?? [null, null];
          const maxLoaded = parseHiveTimestamp(row[0] ?? null);
          const snapshotted = parseHiveTimestamp(row[1] ?? null) ?? new Date();
          const age = maxLoaded ? (snapshotted.getTime() - maxLoaded.getTime()) / 1000 : null;
          details.set(id, {
            max_loaded_at: maxLoaded?.toISOString() ?? null,
            snapshotted_at: snapshotted.toISOString(),
            max_loaded_at_time_ago_in_s: age,
          });
          const status = age === null ? 'error' : freshnessStatus(age, source.freshness!);
          const outcome: NodeOutcome = {
            status,
            message:
              age === null
                ? `no rows in ${source.relation_name}`
                : `max(${source.loaded_at_field}) is ${formatAge(age)} old`,
            rowsAffected: null,
            failures: null,
            adapterResponse: { _message: 'OK' },
          };
          return outcome;
        },
        {
          threads,
          onCancel: () => adapter.cancelAll(),
          onEvent: (event) => {
            const label = labels.get(event.uniqueId)!;
            if (event.kind === 'start') {
              reporter.emit({
                name: 'node_started',
                level: 'info',
                message: startLine(label, event.index, event.total),
                data: { unique_id: event.uniqueId },
              });
              return;
            }
            const r = event.result;
            if (r.status === 'error' && !details.has(event.uniqueId)) r.status = 'runtime error';
            reporter.emit({
              name: 'node_finished',
              level: r.status === 'pass' ? 'info' : r.status === 'warn' ? 'warn' : 'error',
              message: finishLine(label, event.index, event.total, r),
              data: {
                unique_id: event.uniqueId,
                status: r.status,
                message: r.message,
                execution_time: r.executionTime,
                ...details.get(event.uniqueId),
              },
            });
          },
        },
      );
      const results = await scheduler.run();
      const seconds = Math.round(performance.now() - startedAt) / 1000;
      const path = options.output ? resolve(options.output) : join(project.targetDir, 'sources.json');
      mkdirSync(dirname(path), { recursive: true });
      const artifact = {
        metadata: {
          dbt_schema_version: SOURCES_SCHEMA_VERSION,
          qdbt_version: QDBT_VERSION,
          generated_at: new Date().toISOString(),
          invocation_id: project.invocationId,
          env: {},
        },
        results: results.map((r) => ({
          unique_id: r.uniqueId,
          status: r.status,
          ...(details.get(r.uniqueId) ?? {
            max_loaded_at: null,
            snapshotted_at: null,
            max_loaded_at_time_ago_in_s: null,
          }),
          criteria: {
            warn_after: byId.get(r.uniqueId)!.freshness!.warn_after,
            error_after: byId.get(r.uniqueId)!.freshness!.error_after,
            filter: byId.get(r.uniqueId)!.freshness!.filter,
          },
          adapter_response: r.adapterResponse,
          timing:
            r.startedAt && r.completedAt
              ? [{ name: 'execute', started_at: r.startedAt, completed_at: r.completedAt }]
              : [],
          thread_id: r.threadId,
          execution_time: r.executionTime,
          message: r.message,
        })),
        elapsed_time: seconds,
      };
      writeFileAtomic(path, `${JSON.stringify(artifact, null, 2)}\n`);
      for (const event of summaryEvents(
        results.map((r) => ({ label: labels.get(r.uniqueId)!, result: r })),
        countResults(results),
        seconds,
      )) {
        reporter.emit(event);
      }
      return { exitCode: exitCodeFor(results, signals.received), results };
    } finally {
      signals.dispose();
      await adapter.close().catch(() => undefined);
    }
  } finally {
    reporter.close();
  }
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} hours`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** Batch landing declarations by source unique_id: their ledgers say when each was last loaded. */
function batchDeclarations(project: LoadedProject): Map<string, LandingDeclaration> {
  const lakeRoot =
    typeof project.target.extra.lake_root === 'string' ? project.target.extra.lake_root : '/lake';
  const declarations = landingDeclarations(project.parsed.manifest, { lakeRoot });
  return new Map(declarations.filter((d) => d.kind === 'batch').map((d) => [d.uniqueId, d]));
}

function byIdOf(sources: SourceDefinition[]): Set<string> {
  return new Set(sources.map((s) => s.unique_id));
}

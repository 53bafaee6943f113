/**
 * dbt's one line per node start and finish, and the end-of-run summary. Pure: text in, text out.
 *
 *   3 of 12 START sql table model conformed.dim_branch ........................ [RUN]
 *   3 of 12 OK created sql table model conformed.dim_branch ................... [OK in 2.31s]
 */
import type { ReporterEvent } from './reporter.js';

/** What the output needs to know about a node. */
export interface NodeLabel {
  uniqueId: string;
  /** model, seed, test, hook, source (freshness), operation. */
  kind: string;
  name: string;
  /** `schema.alias` for models and seeds, `source.table` for freshness. */
  relation: string | null;
  /** table, view, incremental... for models. */
  materialized?: string;
  /** The file the node comes from, relative to the project root. */
  file?: string;
  compiledPath?: string | null;
}

/** The result fields the lines show (a subset of the runner's NodeResult). */
export interface LineResult {
  status: string;
  message: string;
  rowsAffected: number | null;
  failures: number | null;
  executionTime: number;
}

export const LINE_WIDTH = 80;

export function fancyLine(
  index: number,
  total: number,
  message: string,
  status: string,
  seconds?: number,
): string {
  const prefix = `${index} of ${total} ${message} `;
  const justified = prefix.length < LINE_WIDTH ? prefix.padEnd(LINE_WIDTH, '.') : prefix;
  const time = seconds === undefined ? '' : ` in ${seconds.toFixed(2)}s`;
  return `${justified} [${status}${time}]`;
}

function describe(label: NodeLabel): string {
  switch (label.kind) {
    case 'model':
      return `sql ${label.materialized ?? 'view'} model ${label.relation ?? label.name}`;
    case 'seed':
      return `seed file ${label.relation ?? label.name}`;
    case 'test':
      return `test ${label.name}`;
    case 'source':
      return `freshness of ${label.relation ?? label.name}`;
    case 'hook':
      return `hook: ${label.name}`;
    default:
      return `${label.kind} ${label.name}`;
  }
}

export function startLine(label: NodeLabel, index: number, total: number): string {
  return fancyLine(index, total, `START ${describe(label)}`, 'RUN');
}

export function finishLine(label: NodeLabel, index: number, total: number, result: LineResult): string {
  const { status } = result;
  const seconds = result.executionTime;
  if (status === 'skipped') {
    const what =
      label.kind === 'model' || label.kind === 'seed'
        ? `relation ${label.relation ?? label.name}`
        : describe(label);
    return fancyLine(index, total, `SKIP ${what}`, 'SKIP');
  }
  if (label.kind === 'test') {
    if (status === 'pass') return fancyLine(index, total, `PASS ${label.name}`, 'PASS', seconds);
    if (status === 'fail')
      return fancyLine(
        index,
        total,
        `FAIL ${result.failures ?? ''} ${label.name}`.replace('  ', ' '),
        `FAIL ${result.failures ?? ''}`.trim(),
        seconds,
      );
    if (status === 'warn')
      return fancyLine(
        index,
        total,
        `WARN ${result.failures ?? ''} ${label.name}`.replace('  ', ' '),
        `WARN ${result.failures ?? ''}`.trim(),
        seconds,
      );
    return fancyLine(index, total, `ERROR ${label.name}`, 'ERROR', seconds);
  }
  if (label.kind === 'source') {
    if (status === 'pass') return fancyLine(index, total, `PASS ${describe(label)}`, 'PASS', seconds);
    if (status === 'warn') return fancyLine(index, total, `WARN ${describe(label)}`, 'WARN', seconds);
    if (status === 'error')
      return fancyLine(index, total, `ERROR STALE ${describe(label)}`, 'ERROR STALE', seconds);
    return fancyLine(index, total, `ERROR ${describe(label)}`, 'ERROR', seconds);
  }
  const ok = status === 'success' || status === 'pass';
  if (label.kind === 'hook') {
    return fancyLine(index, total, `${ok ? 'OK' : 'ERROR'} ${describe(label)}`, ok ? 'OK' : 'ERROR', seconds);
  }
  if (!ok) {
    const verb = label.kind === 'seed' ? 'loading' : label.kind === 'model' ? 'creating' : 'running';
    return fancyLine(index, total, `ERROR ${verb} ${describe(label)}`, 'ERROR', seconds);
  }
  const verb = label.kind === 'seed' ? 'loaded' : label.kind === 'model' ? 'created' : 'ran';
  const bracket = result.rowsAffected !== null ? `OK ${result.rowsAffected} rows` : 'OK';
  return fancyLine(index, total, `OK ${verb} ${describe(label)}`, bracket, seconds);
}

/** `Finished running 3 table models, 2 data tests in 0 hours 0 minutes and 4.20 seconds (4.20s).` */
export function finishedLine(labels: NodeLabel[], seconds: number): string {
  const groups = new Map<string, number>();
  for (const label of labels) {
    const key =
      label.kind === 'model'
        ? `${label.materialized ?? 'view'} model`
        : label.kind === 'test'
          ? 'data test'
          : label.kind === 'source'
            ? 'source'
            : label.kind;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const parts = [...groups].map(([key, n]) => `${n} ${key}${n === 1 ? '' : 's'}`);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds - hours * 3600 - minutes * 60;
  const what = parts.length > 0 ? parts.join(', ') : 'nothing';
  return `Finished running ${what} in ${hours} hours ${minutes} minutes and ${rest.toFixed(2)} seconds (${seconds.toFixed(2)}s).`;
}

export interface SummaryCounts {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  total: number;
}

export function doneLine(counts: SummaryCounts): string {
  return `Done. PASS=${counts.pass} WARN=${counts.warn} ERROR=${counts.error} SKIP=${counts.skip} TOTAL=${counts.total}`;
}

/**
 * The end-of-run summary events: the `Finished running` line, each error and warning with the
 * node's file and its compiled SQL, and the `Done.` line.
 */
export function summaryEvents(
  entries: Array<{ label: NodeLabel; result: LineResult }>,
  counts: SummaryCounts,
  seconds: number,
): ReporterEvent[] {
  const events: ReporterEvent[] = [];
  events.push(BLANK);
  events.push({
    name: 'run_finished',
    level: 'info',
    message: finishedLine(
      entries.map((e) => e.label),
      seconds,
    ),
    data: { elapsed_time: seconds },
  });
  const errors = entries.filter((e) => isError(e.result.status));
  const warnings = entries.filter((e) => e.result.status === 'warn');
  events.push(BLANK);
  if (errors.length === 0 && warnings.length === 0) {
    events.push({ name: 'run_completed', level: 'info', message: 'Completed successfully' });
  } else {
    const head =
      errors.length > 0
        ? `Completed with ${plural(errors.length, 'error')} and ${plural(warnings.length, 'warning')}:`
        : `Completed with ${plural(warnings.length, 'warning')}:`;
    events.push({ name: 'run_completed', level: errors.length > 0 ? 'error' : 'warn', message: head });
    for (const { label, result } of [...errors, ...warnings]) {
      const isWarn = result.status === 'warn';
      const where = label.file ? ` (${label.file})` : '';
      const lines = [
        `${isWarn ? 'Warning' : 'Failure'} in ${label.kind} ${label.name}${where}`,
        `  ${explain(label, result).split('\n').join('\n  ')}`,
      ];
      if (label.compiledPath) lines.push(`  compiled code at ${label.compiledPath}`);
      events.push({
        name: isWarn ? 'node_warning' : 'node_error',
        level: isWarn ? 'warn' : 'error',
        message: lines.join('\n'),
        data: {
          unique_id: label.uniqueId,
          status: result.status,
          file: label.file ?? null,
          compiled_path: label.compiledPath ?? null,
        },
      });
    }
  }
  events.push(BLANK);
  events.push({
    name: 'run_summary',
    level: 'info',
    message: doneLine(counts),
    data: { ...counts },
  });
  return events;
}

/** dbt's wording for a test that returned rows: `Got 3 results, configured to fail if != 0`. */
function explain(label: NodeLabel, result: LineResult): string {
  if (label.kind === 'test' && result.failures !== null && /^(FAIL|WARN) \d+$/.test(result.message.trim())) {
    const n = result.failures;
    return `Got ${n} result${n === 1 ? '' : 's'}, configured to ${result.status === 'warn' ? 'warn' : 'fail'} if != 0`;
  }
  return result.message;
}

/** An empty console line; JSON lines leave it out. */
const BLANK: ReporterEvent = { name: 'blank', level: 'info', message: '' };

function isError(status: string): boolean {
  return status === 'error' || status === 'fail' || status === 'runtime error';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

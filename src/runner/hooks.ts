/** `on-run-start` / `on-run-end` from project.yml: rendered, then each statement sent in order. */
import type { Adapter } from '../adapters/types.js';
import type { LoadedProject } from '../project/loadProject.js';
import type { Reporter } from '../reporters/reporter.js';
import { finishLine, startLine, type NodeLabel } from '../reporters/runLines.js';
import { splitStatements } from './sql.js';

export type HookKind = 'on-run-start' | 'on-run-end';

export interface HookRunInput {
  kind: HookKind;
  project: LoadedProject;
  adapter: Adapter;
  reporter: Reporter;
  /** Extra template names: `schemas`, `results` (on-run-end). */
  context: Record<string, unknown>;
  signal?: AbortSignal;
}

/** Runs the hooks in order; stops at the first that fails and returns its error message, or null. */
export async function runHooks(input: HookRunInput): Promise<string | null> {
  const { project, reporter, kind } = input;
  const hooks = kind === 'on-run-start' ? project.config.onRunStart : project.config.onRunEnd;
  if (hooks.length === 0) return null;
  if (kind === 'on-run-end') reporter.emit({ name: 'blank', level: 'info', message: '' });
  reporter.emit({
    name: 'hooks_header',
    level: 'info',
    message: `Running ${hooks.length} ${kind} hook${hooks.length === 1 ? '' : 's'}`,
  });
  for (let i = 0; i < hooks.length; i++) {
    const label: NodeLabel = {
      uniqueId: `operation.${project.config.name}.${project.config.name}-${kind}-${i}`,
      kind: 'hook',
      name: `${project.config.name}.${kind}.${i}`,
      relation: null,
    };
    reporter.emit({
      name: 'hook_started',
      level: 'info',
      message: startLine(label, i + 1, hooks.length),
      data: { unique_id: label.uniqueId },
    });
    const started = performance.now();
    let error: string | null = null;
    let rows: number | null = null;
    try {
      const sql = project.parsed.engine.render('project.yml', hooks[i]!, {
        execute: true,
        ...input.context,
      }).sql;
      for (const statement of splitStatements(sql)) {
        reporter.emit({ name: 'hook_sql', level: 'debug', message: `${label.name}: ${statement}` });
        const result = await input.adapter.execute(statement, {
          signal: input.signal,
          nodeId: label.uniqueId,
        });
        if (result.rowsAffected !== null) rows = (rows ?? 0) + result.rowsAffected;
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const executionTime = (performance.now() - started) / 1000;
    const status = error === null ? 'success' : 'error';
    reporter.emit({
      name: 'hook_finished',
      level: error === null ? 'info' : 'error',
      message: finishLine(label, i + 1, hooks.length, {
        status,
        message: error ?? 'OK',
        rowsAffected: rows,
        failures: null,
        executionTime,
      }),
      data: { unique_id: label.uniqueId, status, execution_time: executionTime, message: error },
    });
    if (error !== null) {
      reporter.emit({
        name: 'hook_error',
        level: 'error',
        message: `${kind} hook ${i} failed:\n  ${error.split('\n').join('\n  ')}`,
      });
      return error;
    }
  }
  reporter.emit({ name: 'blank', level: 'info', message: '' });
  return null;
}

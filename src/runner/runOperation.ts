/**
 * `qdbt run-operation <macro> --args '<yaml>'`: call a project macro and send the SQL it renders,
 * statement by statement. (Templates render synchronously, so a macro cannot wait for a query's
 * result; what it outputs is what runs. A `return()` value is printed instead.)
 */
import { parse as parseYaml } from 'yaml';
import type { GlobalOptions } from '../cli/globalOptions.js';
import { closestNames, QdbtError } from '../errors.js';
import { loadProject, type LoadedProject } from '../project/loadProject.js';
import { withLogFile } from '../reporters/logFile.js';
import type { Reporter } from '../reporters/reporter.js';
import { join } from 'node:path';
import { onCancelSignals, type SignalSource } from './signals.js';
import { splitStatements } from './sql.js';
import type { RunnerDeps } from './wiring.js';
import { defaultCreateAdapter } from './wiring.js';

export interface RunOperationOptions {
  global: GlobalOptions;
  macro: string;
  /** The --args text: a YAML (or JSON) mapping of keyword arguments. */
  args?: string;
}

export interface RunOperationEnv {
  reporter: Reporter;
  createAdapter?: RunnerDeps['createAdapter'];
  project?: LoadedProject;
  signals?: SignalSource;
}

export function parseOperationArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new QdbtError('usage', `--args is not valid YAML: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new QdbtError(
      'usage',
      `--args takes a mapping of keyword arguments, e.g. '{days: 7}', not '${text}'`,
    );
  }
  return value as Record<string, unknown>;
}

export async function runOperation(options: RunOperationOptions, env: RunOperationEnv): Promise<number> {
  const project = env.project ?? loadProject(options.global);
  const reporter = withLogFile(
    env.reporter,
    join(project.projectDir, project.config.logPath, 'qdbt.log'),
    project.invocationId,
  );
  try {
    const engine = project.parsed.engine;
    const name = options.macro.includes('.')
      ? options.macro.slice(options.macro.lastIndexOf('.') + 1)
      : options.macro;
    if (!engine.hasMacro(name)) {
      const near = closestNames(
        name,
        engine.macros().map((m) => m.name),
      );
      throw new QdbtError('usage', `no macro named '${options.macro}' in the project`, {
        hint: near.length > 0 ? `Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : undefined,
      });
    }
    const kwargs = parseOperationArgs(options.args);
    const started = performance.now();
    const value = engine.callMacro(name, [], kwargs, { execute: true });
    const statements = typeof value === 'string' ? splitStatements(value) : [];
    if (typeof value !== 'string' && value !== undefined && value !== null) {
      reporter.result(typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value));
    }
    if (statements.length > 0) {
      const createAdapter = env.createAdapter ?? (await defaultCreateAdapter());
      const adapter = await createAdapter(project.target, {
        threads: 1,
        log: (line) => reporter.emit({ name: 'adapter_log', level: 'debug', message: line }),
      });
      const abort = new AbortController();
      const signals = onCancelSignals(
        (signal) => {
          reporter.emit({
            name: 'cancel',
            level: 'warn',
            message: `${signal} received: cancelling the running operation on the server`,
          });
          abort.abort();
          void adapter.cancelAll().catch(() => undefined);
        },
        { source: env.signals },
      );
      try {
        for (const [i, statement] of statements.entries()) {
          reporter.emit({
            name: 'operation_sql',
            level: 'debug',
            message: `${name} statement ${i + 1}: ${statement}`,
          });
          const result = await adapter.execute(statement, {
            signal: abort.signal,
            nodeId: `operation.${name}`,
          });
          const rows = result.rowsAffected !== null ? ` (${result.rowsAffected} rows)` : '';
          reporter.emit({
            name: 'operation_statement',
            level: 'info',
            message: `Statement ${i + 1} of ${statements.length} OK${rows} in ${(result.elapsedMs / 1000).toFixed(2)}s`,
          });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        reporter.emit({
          name: 'operation_error',
          level: 'error',
          message: `Encountered an error while running operation ${name}:\n  ${message}`,
        });
        return signals.received ? (signals.received === 'SIGINT' ? 130 : 143) : 1;
      } finally {
        signals.dispose();
        await adapter.close().catch(() => undefined);
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    reporter.emit({
      name: 'operation_finished',
      level: 'info',
      message: `Ran operation ${name}: ${statements.length} statement${statements.length === 1 ? '' : 's'} in ${seconds}s`,
      data: { macro: name, statements: statements.length },
    });
    return 0;
  } finally {
    reporter.close();
  }
}

import type { Adapter } from '../adapters/types.js';
import type { Reporter } from '../reporters/reporter.js';

/**
 * The adapter with every statement written as debug events (`statement`, `statement_finished`):
 * into logs/qdbt.log always, on the console with --debug. `bench/run.mjs` replays them.
 */
export function observedAdapter(inner: Adapter, reporter: Reporter): Adapter {
  return {
    get capabilities() {
      return inner.capabilities;
    },
    async execute(sql, options) {
      const nodeId = options?.nodeId ?? null;
      reporter.emit({
        name: 'statement',
        level: 'debug',
        message: `${nodeId ?? '-'}: ${sql}`,
        data: { unique_id: nodeId, sql },
      });
      const started = performance.now();
      try {
        const result = await inner.execute(sql, options);
        reporter.emit({
          name: 'statement_finished',
          level: 'debug',
          message: `${nodeId ?? '-'}: OK${result.rowsAffected !== null ? ` (${result.rowsAffected} rows)` : ''} in ${((performance.now() - started) / 1000).toFixed(3)}s`,
          data: { unique_id: nodeId, rows_affected: result.rowsAffected, elapsed_ms: result.elapsedMs },
        });
        return result;
      } catch (error) {
        reporter.emit({
          name: 'statement_failed',
          level: 'debug',
          message: `${nodeId ?? '-'}: ${error instanceof Error ? error.message : String(error)}`,
          data: { unique_id: nodeId },
        });
        throw error;
      }
    },
    listRelations: (schema) => inner.listRelations(schema),
    describeRelation: (schema, name) => inner.describeRelation(schema, name),
    invalidate: (schema, name) => inner.invalidate(schema, name),
    createSchemaIfMissing: (schema) => inner.createSchemaIfMissing(schema),
    cancelAll: () => inner.cancelAll(),
    close: () => inner.close(),
  };
}

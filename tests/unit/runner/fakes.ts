import { EventEmitter } from 'node:events';
import type { Adapter, QueryResult } from '../../../src/adapters/types.js';
import type { GraphNode } from '../../../src/manifest/types.js';
import type { NodeExecutor, NodeOutcome } from '../../../src/materialize/types.js';
import { createReporter, type Reporter } from '../../../src/reporters/reporter.js';
import type { RunnerDeps } from '../../../src/runner/wiring.js';

export interface FakeAdapter extends Adapter {
  statements: string[];
  cancelAllCalls: number;
  schemasCreated: string[];
  closed: boolean;
}

/** An adapter that records statements; `respond` decides each statement's result or throws. */
export function fakeAdapter(
  respond: (
    sql: string,
    signal?: AbortSignal,
  ) => Promise<Partial<QueryResult>> | Partial<QueryResult> = () => ({}),
): FakeAdapter {
  const adapter: FakeAdapter = {
    statements: [],
    cancelAllCalls: 0,
    schemasCreated: [],
    closed: false,
    capabilities: {
      engine: 'hive',
      version: '4.0.1',
      supportsMerge: true,
      supportsAcid: true,
      supportsSkipHeaderLine: true,
      supportsHiveJsonSerde: true,
      supportsRenameTable: true,
      supportsAnalyze: true,
      supportsColumnComments: true,
      canWriteTransactional: true,
      supportsStoredAs: true,
    },
    async execute(sql, options) {
      adapter.statements.push(sql);
      const partial = await respond(sql, options?.signal);
      return { columns: [], rows: [], rowsAffected: null, elapsedMs: 1, ...partial };
    },
    async listRelations() {
      return new Map();
    },
    async describeRelation() {
      return null;
    },
    invalidate() {},
    async createSchemaIfMissing(schema) {
      adapter.schemasCreated.push(schema);
    },
    async cancelAll() {
      adapter.cancelAllCalls++;
    },
    async close() {
      adapter.closed = true;
    },
  };
  return adapter;
}

/** Materializations that send the compiled SQL once; a model whose SQL says `boom` errors, a test returning rows fails. */
export function fakeDeps(
  adapter: FakeAdapter,
  options: { failingTests?: Set<string>; executed?: string[] } = {},
): RunnerDeps {
  const executor: NodeExecutor = async (ctx) => {
    const node: GraphNode = ctx.node;
    options.executed?.push(node.unique_id);
    if (node.resource_type === 'seed') {
      await ctx.adapter.execute(`load seed ${node.name}`, { signal: ctx.signal });
      return outcome('success', 'INSERT 3', 3);
    }
    const result = await ctx.adapter.execute(node.compiled_code ?? '', {
      signal: ctx.signal,
      nodeId: node.unique_id,
    });
    ctx.log(`progress of ${node.name}: 100%`);
    if (node.resource_type === 'test') {
      const failures = options.failingTests?.has(node.name) ? 2 : 0;
      return {
        ...outcome(failures > 0 ? 'fail' : 'pass', failures > 0 ? `FAIL ${failures}` : 'PASS', null),
        failures,
      };
    }
    return outcome('success', 'OK created table', result.rowsAffected);
  };
  return { createAdapter: async () => adapter, executorFor: () => executor };
}

function outcome(status: NodeOutcome['status'], message: string, rows: number | null): NodeOutcome {
  return { status, message, rowsAffected: rows, failures: null, adapterResponse: { _message: message } };
}

/** A reporter writing plain text (or JSON lines) into strings. */
export function capture(
  format: 'text' | 'json' = 'text',
  debug = false,
): { reporter: Reporter; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    ({ write: (s: string) => (append(s), true) }) as unknown as NodeJS.WritableStream;
  const reporter = createReporter({
    format,
    color: false,
    quiet: false,
    debug,
    // As on a terminal: console lines of every level on one stream (stderr), JSON lines on stdout.
    out: sink((s) => (format === 'json' ? (out += s) : (err += s))),
    err: sink((s) => (err += s)),
  });
  return { reporter, out: () => out, err: () => err };
}

export class FakeSignals extends EventEmitter {}

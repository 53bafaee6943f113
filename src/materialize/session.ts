/** What every materialization does around its statements: run them for a node, hooks, checks. */
import type { AdapterCapabilities, QueryResult, RelationInfo } from '../adapters/types.js';
import { QdbtError } from '../errors.js';
import type { GraphNode } from '../manifest/types.js';
import { splitStatements, type TableRef } from './sql.js';
import type { NodeOutcome, NodeRunContext } from './types.js';

/** One node's statements, sent in order with the node's signal; counts and keeps the last row count. */
export class NodeSession {
  statements = 0;

  constructor(readonly ctx: NodeRunContext) {}

  get node(): GraphNode {
    return this.ctx.node;
  }

  get capabilities(): AdapterCapabilities {
    return this.ctx.adapter.capabilities;
  }

  async run(sql: string, options: { maxRows?: number } = {}): Promise<QueryResult> {
    if (this.ctx.signal.aborted) throw new QdbtError('runtime', `${this.node.name}: cancelled`);
    this.statements++;
    this.ctx.log(`${this.node.unique_id}: ${sql.split('\n')[0]}${sql.includes('\n') ? ' ...' : ''}`);
    return this.ctx.adapter.execute(sql, {
      signal: this.ctx.signal,
      nodeId: this.node.unique_id,
      ...options,
    });
  }

  /** Run a statement that is allowed to fail (cleanup after a failure); logs instead of throwing. */
  async tryRun(sql: string): Promise<boolean> {
    try {
      await this.run(sql);
      return true;
    } catch (error) {
      this.ctx.log(`${this.node.unique_id}: cleanup failed: ${(error as Error).message}`);
      return false;
    }
  }

  async describe(ref: TableRef): Promise<RelationInfo | null> {
    return this.ctx.adapter.describeRelation(ref.schema, ref.name);
  }

  invalidate(ref: TableRef): void {
    this.ctx.adapter.invalidate(ref.schema, ref.name);
  }

  /** Pre- or post-hooks: rendered with the node's context, split into single statements. */
  async hooks(kind: 'pre-hook' | 'post-hook'): Promise<void> {
    const hooks = (this.node.config[kind] ?? []) as unknown[];
    for (const hook of hooks) {
      const text = typeof hook === 'string' ? hook : (hook as { sql?: unknown } | null)?.sql;
      if (typeof text !== 'string' || text.trim() === '') continue;
      for (const statement of splitStatements(this.ctx.renderTemplate(text))) await this.run(statement);
    }
  }

  outcome(
    status: NodeOutcome['status'],
    message: string,
    rowsAffected: number | null,
    code: string,
  ): NodeOutcome {
    return {
      status,
      message,
      rowsAffected,
      failures: null,
      adapterResponse: { _message: message, code, rows_affected: rowsAffected, statements: this.statements },
    };
  }
}

/** The node's own relation. */
export function targetOf(node: GraphNode): TableRef {
  return { schema: node.schema, name: node.alias };
}

/** Our working relations beside the target: `<name>__qdbt_tmp` and friends. */
export function sibling(target: TableRef, suffix: 'tmp' | 'backup' | 'src' | 'stage'): TableRef {
  return { schema: target.schema, name: `${target.name}__qdbt_${suffix}` };
}

/**
 * Spark writing into a `transactional=true` table succeeds and corrupts it for Hive (and reads it
 * as empty): refuse before sending anything.
 */
export function assertWritable(
  session: NodeSession,
  target: TableRef,
  transactional: boolean | undefined,
): void {
  if (!transactional || session.capabilities.canWriteTransactional) return;
  throw new QdbtError(
    'runtime',
    `${session.node.name}: refusing to write \`${target.schema}\`.\`${target.name}\`: it is a transactional (ACID) table and ${engineName(session.capabilities)} would corrupt it for Hive`,
    {
      hint: 'run this node against a Hive target, or drop transactional=true from its tblproperties and rebuild it with --full-refresh on Hive',
    },
  );
}

export function engineName(capabilities: AdapterCapabilities): string {
  const names: Record<string, string> = { hive: 'Hive', spark: 'Spark Thrift Server', kyuubi: 'Kyuubi' };
  return `${names[capabilities.engine] ?? 'this engine'}${capabilities.version ? ` ${capabilities.version}` : ''}`;
}

/**
 * Which statements each node sends. The runner calls `executorFor(node)(context)`; every executor
 * returns a NodeOutcome and throws only for failures (the runner turns them into status error).
 */
import { QdbtError } from '../errors.js';
import type { GraphNode } from '../manifest/types.js';
import { materializeIncremental } from './incremental.js';
import { createSeedExecutor } from './seed/seed.js';
import { NodeSession, targetOf } from './session.js';
import { buildSettings } from './settings.js';
import { buildModelTable } from './table.js';
import { materializeTest } from './test.js';
import type { NodeExecutor, NodeOutcome } from './types.js';
import { materializeEphemeral, materializeView } from './view.js';

export type { NodeExecutor, NodeOutcome, NodeRunContext, NodeStatus } from './types.js';
export { createSeedExecutor, planSeed, type SeedFileStore, type SeedFileStoreFactory } from './seed/seed.js';
export { parseCsv } from './seed/csv.js';
export { inferType } from './seed/types.js';

export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'ephemeral'] as const;

async function materializeTable(session: NodeSession): Promise<NodeOutcome> {
  const { node } = session;
  const target = targetOf(node);
  const settings = buildSettings(node);
  const existing = await session.describe(target);
  const built = await buildModelTable(session, target, settings, node.compiled_code ?? '', existing);
  return session.outcome('success', 'OK created table', built.rowsAffected, 'CREATE TABLE');
}

/** Models: pre-hooks, the materialization, post-hooks. */
export const runModel: NodeExecutor = async (context) => {
  const session = new NodeSession(context);
  const { node } = context;
  const materialized = String(node.config.materialized);
  if (materialized === 'ephemeral') return materializeEphemeral(session);
  const materialize = {
    view: materializeView,
    table: materializeTable,
    incremental: materializeIncremental,
  }[materialized];
  if (!materialize) {
    throw new QdbtError('project', `model '${node.name}': unknown materialization '${materialized}'`, {
      location: { file: node.original_file_path },
      hint: `use one of ${MATERIALIZATIONS.join(', ')}`,
    });
  }
  await context.adapter.createSchemaIfMissing(node.schema);
  await session.hooks('pre-hook');
  const outcome = await materialize(session);
  await session.hooks('post-hook');
  return { ...outcome, adapterResponse: { ...outcome.adapterResponse, statements: session.statements } };
};

/** Seeds, uploading through WebHDFS (`hdfs_url` of the target). */
export const runSeed: NodeExecutor = createSeedExecutor();

/** Data tests, generic and singular. */
export const runTest: NodeExecutor = (context) => materializeTest(new NodeSession(context));

export function executorFor(node: GraphNode): NodeExecutor {
  switch (node.resource_type) {
    case 'model':
      return runModel;
    case 'seed':
      return runSeed;
    case 'test':
      return runTest;
    default:
      throw new QdbtError('usage', `no executor for ${(node as GraphNode).resource_type} nodes`);
  }
}

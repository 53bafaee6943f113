/**
 * The runner's two collaborators, loaded when a command needs them: the adapter factory
 * (`src/adapters/index.ts`) and the materializations (`src/materialize/index.ts`). Commands can
 * be given fakes instead (unit tests, benchmarks).
 */
import type { Adapter } from '../adapters/types.js';
import type { HiveTarget } from '../config/types.js';
import { QdbtError } from '../errors.js';
import type { GraphNode } from '../manifest/types.js';
import type { NodeExecutor } from '../materialize/types.js';

export interface RunnerDeps {
  createAdapter(target: HiveTarget): Promise<Adapter>;
  executorFor(node: GraphNode): NodeExecutor;
}

interface AdaptersModule {
  createAdapter(target: HiveTarget): Promise<Adapter>;
}

interface MaterializeModule {
  executorFor(node: GraphNode): NodeExecutor;
}

// Specifiers in variables: these modules are written alongside this one and load at run time.
const ADAPTERS = '../adapters/index.js';
const MATERIALIZE = '../materialize/index.js';

async function importOrExplain<T>(specifier: string, what: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND')
      throw new QdbtError('runtime', `${what} is not part of this build of qdbt`, { cause: error });
    throw error;
  }
}

let cached: RunnerDeps | null = null;

/** The real adapter and materializations. */
export async function defaultDeps(): Promise<RunnerDeps> {
  if (cached) return cached;
  const adapters = await importOrExplain<AdaptersModule>(ADAPTERS, 'the HiveServer2 adapter');
  const materialize = await importOrExplain<MaterializeModule>(MATERIALIZE, 'the materializations');
  cached = { createAdapter: adapters.createAdapter, executorFor: materialize.executorFor };
  return cached;
}

/** Adapter only (show, run-operation, source freshness). */
export async function defaultCreateAdapter(): Promise<RunnerDeps['createAdapter']> {
  const adapters = await importOrExplain<AdaptersModule>(ADAPTERS, 'the HiveServer2 adapter');
  return adapters.createAdapter;
}

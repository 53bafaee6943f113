import { nodesToRetry, readRunResults } from '../artifacts/runResults.js';
import type { GlobalOptions } from '../cli/globalOptions.js';
import { QdbtError } from '../errors.js';
import { loadProject } from '../project/loadProject.js';
import { runNodes, type RunNodesEnv, type RunNodesOutcome, type RunWhich } from './runNodes.js';

const RETRYABLE: RunWhich[] = ['run', 'seed', 'test', 'build'];

/**
 * `qdbt retry`: the command recorded in target/run_results.json, on exactly the nodes that
 * errored, failed or were skipped, with its --full-refresh / --fail-fast / --threads.
 */
export async function retryLastRun(global: GlobalOptions, env: RunNodesEnv): Promise<RunNodesOutcome> {
  const project = env.project ?? loadProject(global);
  const previous = readRunResults(project.targetDir);
  const which = previous.args.which as RunWhich;
  if (!RETRYABLE.includes(which)) {
    throw new QdbtError(
      'usage',
      `the last run was \`qdbt ${previous.args.which}\`, which retry does not repeat`,
      {
        hint: `retry repeats ${RETRYABLE.join(', ')}.`,
      },
    );
  }
  const ids = nodesToRetry(previous);
  if (ids.length === 0) {
    env.reporter.emit({
      name: 'nothing_to_retry',
      level: 'info',
      message: `Nothing to retry: every node of the last \`qdbt ${which}\` passed.`,
    });
    return { exitCode: 0, results: [], runResultsPath: null, cancelledBy: null };
  }
  env.reporter.emit({
    name: 'retry',
    level: 'info',
    message: `Retrying ${ids.length} node${ids.length === 1 ? '' : 's'} of the last \`qdbt ${which}\``,
  });
  return runNodes(
    {
      which,
      global: { ...global, threads: global.threads ?? previous.args.threads },
      fullRefresh: previous.args.full_refresh === true,
      failFast: previous.args.fail_fast === true,
      uniqueIds: ids,
    },
    { ...env, project },
  );
}

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QdbtError } from '../errors.js';
import type { ProjectGraph } from '../graph/graph.js';
import type { Manifest } from '../manifest/types.js';
import { parseProject, type ParseResult } from '../parser/parseProject.js';
import { readProject, type LoadOptions, type ReadProject } from './readProject.js';

export { readProject, type LoadOptions, type ReadProject };

/** A parsed project: the one hand-off every command starts from. */
export interface LoadedProject extends ReadProject {
  parsed: ParseResult;
  graph: ProjectGraph;
  invocationId: string;
  /** Environment variables templates read while parsing, with the values they saw. */
  envUsed: Record<string, string | null>;
}

/** Where templates' `log()` writes: the command's reporter. Without one, log() prints nothing. */
export type TemplateLog = (message: string, info: boolean) => void;

export function parseReadProject(read: ReadProject, templateLog?: TemplateLog): LoadedProject {
  const invocationId = randomUUID();
  const envUsed: Record<string, string | null> = {};
  const recordingEnv = new Proxy(read.env, {
    get(target, name) {
      const value = Reflect.get(target, name) as string | undefined;
      if (typeof name === 'string') envUsed[name] = value ?? null;
      return value;
    },
  });
  const parsed = parseProject({
    files: read.files,
    config: read.config,
    target: read.target,
    vars: read.vars,
    cliVars: read.cliVars,
    env: recordingEnv,
    invocationId,
    runStartedAt: new Date(),
    log: templateLog,
  });
  const graph = parsed.graph;
  return { ...read, parsed, graph, invocationId, envUsed };
}

export function loadProject(options: LoadOptions & { templateLog?: TemplateLog }): LoadedProject {
  return parseReadProject(readProject(options), options.templateLog);
}

/** The manifest of an earlier run, for `--state DIR` (state:modified). */
export function readStateManifest(stateDir: string): Manifest {
  const path = join(resolve(stateDir), 'manifest.json');
  if (!existsSync(path)) {
    throw new QdbtError('usage', `--state ${stateDir}: no manifest.json there`, {
      hint: 'Point --state at the target folder of an earlier `qdbt compile` or `qdbt run` (copy it aside first).',
    });
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new QdbtError(
      'usage',
      `--state ${stateDir}: manifest.json is not valid JSON (${(error as Error).message})`,
    );
  }
}

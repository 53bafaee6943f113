import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProjectConfig, loadTarget, parseVarsFlag } from '../config/index.js';
import type { HiveTarget, ProjectConfig } from '../config/types.js';
import { QdbtError } from '../errors.js';
import { buildGraph, type ProjectGraph } from '../graph/graph.js';
import type { Manifest } from '../manifest/types.js';
import { parseProject, type ParseResult } from '../parser/parseProject.js';
import { readProjectFiles, type ProjectFiles } from '../parser/projectFiles.js';

export interface LoadOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  /** The --vars text (YAML or JSON). */
  vars?: string;
  env?: Record<string, string | undefined>;
}

/** A parsed project: the one hand-off every command starts from. */
export interface LoadedProject {
  projectDir: string;
  config: ProjectConfig;
  target: HiveTarget;
  files: ProjectFiles;
  parsed: ParseResult;
  graph: ProjectGraph;
  invocationId: string;
  /** Absolute target folder (`target/` by default). */
  targetDir: string;
}

export function loadProject(options: LoadOptions): LoadedProject {
  const projectDir = resolve(options.projectDir);
  const env = options.env ?? process.env;
  const config = loadProjectConfig(projectDir, { env });
  const target = loadTarget({
    projectDir,
    profilesDir: options.profilesDir,
    profileName: config.profile,
    targetName: options.target,
    env,
  });
  const vars = { ...config.vars, ...(options.vars ? parseVarsFlag(options.vars) : {}) };
  const files = readProjectFiles(projectDir, config);
  const invocationId = randomUUID();
  const parsed = parseProject({ files, config, target, vars, env, invocationId, runStartedAt: new Date() });
  const graph = buildGraph(parsed.manifest);
  return { projectDir, config, target, files, parsed, graph, invocationId, targetDir: join(projectDir, config.targetPath) };
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
    throw new QdbtError('usage', `--state ${stateDir}: manifest.json is not valid JSON (${(error as Error).message})`);
  }
}

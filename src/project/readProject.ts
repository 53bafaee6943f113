import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadProjectConfig, loadTarget, parseVarsFlag } from '../config/index.js';
import type { HiveTarget, ProjectConfig } from '../config/types.js';
import { readProjectFiles, type ProjectFiles } from '../parser/projectFiles.js';

export interface LoadOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  /** The --vars text (YAML or JSON). */
  vars?: string;
  env?: Record<string, string | undefined>;
  /** --target-path: overrides project.yml's `target-path` (dbt's flag of the same name). */
  targetPath?: string;
}

/** project.yml, the profile's target and the vars: what every command reads before the files. */
export interface ProjectHead {
  projectDir: string;
  config: ProjectConfig;
  target: HiveTarget;
  /** project.yml's vars with --vars over them. */
  vars: Record<string, unknown>;
  /** --vars alone: they win over vars scoped to the project name too. */
  cliVars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  targetDir: string;
}

/** A project read from disk but not parsed yet: enough to decide whether a cached result still holds. */
export interface ReadProject extends ProjectHead {
  files: ProjectFiles;
}

export function readProject(options: LoadOptions): ReadProject {
  const head = readProjectHead(options);
  return { ...head, files: readProjectFiles(head.projectDir, head.config) };
}

export function readProjectHead(options: LoadOptions): ProjectHead {
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
  const targetPathOverride = options.targetPath ?? env.QDBT_TARGET_PATH;
  if (targetPathOverride) config.targetPath = targetPathOverride;
  // An absolute target path is honoured (as dbt's os.path.join does); kept relative to the project
  // because compiled paths are written below the project folder.
  if (isAbsolute(config.targetPath)) config.targetPath = relative(projectDir, config.targetPath) || '.';
  const cliVars = options.vars ? parseVarsFlag(options.vars) : {};
  const vars = { ...config.vars, ...cliVars };
  return { projectDir, config, target, vars, cliVars, env, targetDir: join(projectDir, config.targetPath) };
}

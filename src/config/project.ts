/** project.yml (or dbt_project.yml): read, env_var() rendered, validated. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { QdbtError } from '../errors.js';
import { emptyTree, readConfigTree } from './configTree.js';
import type { Env } from './envVar.js';
import { Reader } from './reader.js';
import type { Located, ProjectConfig } from './types.js';
import { toJS, type YNode } from './yaml/ast.js';
import { parseYaml } from './yaml/parse.js';

export const PROJECT_FILES = ['project.yml', 'dbt_project.yml'] as const;

export const PROJECT_KEYS = [
  'name',
  'version',
  'config-version',
  'profile',
  'model-paths',
  'macro-paths',
  'seed-paths',
  'test-paths',
  'analysis-paths',
  'target-path',
  'log-path',
  'clean-targets',
  'vars',
  'models',
  'seeds',
  'tests',
  'data_tests',
  'sources',
  'on-run-start',
  'on-run-end',
  'local',
] as const;

/** dbt keys qdbt reads without acting on them (listed in `unsupported` so the CLI can say so). */
export const DBT_ONLY_PROJECT_KEYS = [
  'require-dbt-version',
  'snapshot-paths',
  'docs-paths',
  'asset-paths',
  'packages-install-path',
  'quoting',
  'query-comment',
  'dispatch',
  'flags',
  'snapshots',
  'analyses',
  'exposures',
  'metrics',
  'semantic-models',
  'saved-queries',
  'unit_tests',
  'restrict-access',
  'dbt-cloud',
] as const;

const RENAMED: Record<string, string> = {
  'source-paths': 'model-paths',
  'data-paths': 'seed-paths',
  'modules-path': 'packages-install-path',
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Finds and reads project.yml, falling back to dbt_project.yml. */
export function loadProjectConfig(projectDir: string, options: { env?: Env } = {}): ProjectConfig {
  const dir = path.resolve(projectDir);
  for (const name of PROJECT_FILES) {
    const file = path.join(dir, name);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      return parseProjectConfig(text, name, { env: options.env ?? process.env, absPath: file });
    }
  }
  throw new QdbtError('project', `No project.yml found in ${dir}`, {
    hint: 'run `qdbt init <name>` to create a project, or point --project-dir at the folder that holds project.yml',
  });
}

/** Validates the text of project.yml; `relPath` names it in errors. Pure apart from `env`. */
export function parseProjectConfig(
  text: string,
  relPath: string,
  options: { env?: Env; absPath?: string } = {},
): ProjectConfig {
  const r = new Reader(relPath, options.env ?? {});
  const root = parseYaml(text, relPath);
  const config: ProjectConfig = {
    name: '',
    version: '1.0.0',
    profile: '',
    configVersion: 2,
    modelPaths: ['models'],
    macroPaths: ['macros'],
    seedPaths: ['seeds'],
    testPaths: ['tests'],
    analysisPaths: ['analyses'],
    targetPath: 'target',
    logPath: 'logs',
    cleanTargets: [],
    vars: {},
    models: emptyTree(),
    seeds: emptyTree(),
    tests: emptyTree(),
    sources: emptyTree(),
    onRunStart: [],
    onRunEnd: [],
    local: {},
    file: options.absPath ?? relPath,
  };
  let cleanTargets: string[] | undefined;
  const unsupported: Array<Located<string>> = [];
  const map = root === null ? null : r.map(root, relPath);
  if (root === null)
    r.error({ line: 1, col: 1 }, `${relPath} is empty: it needs at least a 'name'`, 'e.g. name: my_project');
  let testsKey: string | null = null;
  let sawName = false;
  if (map) {
    for (let i = 0; i < map.keys.length; i++) {
      const key = map.keys[i]!;
      const v = map.values[i]!;
      switch (key.name) {
        case 'name': {
          const name = r.str(v, "'name'");
          sawName = true;
          if (name !== undefined && !NAME.test(name)) {
            r.error(
              v,
              `project name '${name}' must hold only letters, digits and underscores, and not start with a digit`,
              `e.g. ${name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')}`,
            );
          } else if (name !== undefined) config.name = name;
          break;
        }
        case 'version': {
          const version = r.str(v, "'version'", true);
          if (version !== undefined) config.version = version;
          break;
        }
        case 'config-version': {
          const n = r.int(v, "'config-version'", 2, 2);
          if (n !== undefined) config.configVersion = n;
          break;
        }
        case 'profile': {
          const profile = r.str(v, "'profile'");
          if (profile !== undefined) config.profile = profile;
          break;
        }
        case 'model-paths':
        case 'macro-paths':
        case 'seed-paths':
        case 'test-paths':
        case 'analysis-paths': {
          const list = r.strList(v, `'${key.name}'`);
          if (list !== undefined) config[PATH_FIELDS[key.name]] = list;
          break;
        }
        case 'target-path': {
          const p = r.str(v, "'target-path'");
          if (p !== undefined) config.targetPath = p;
          break;
        }
        case 'log-path': {
          const p = r.str(v, "'log-path'");
          if (p !== undefined) config.logPath = p;
          break;
        }
        case 'clean-targets':
          cleanTargets = r.strList(v, "'clean-targets'");
          break;
        case 'vars': {
          // As in dbt, vars are rendered when they are used, not here.
          const vars =
            v.kind === 'scalar' && v.value === null ? {} : r.map(v, "'vars'") ? toJS(v) : undefined;
          if (vars !== undefined) config.vars = vars as Record<string, unknown>;
          break;
        }
        case 'models':
          config.models = readConfigTree(r, v, 'models');
          break;
        case 'seeds':
          config.seeds = readConfigTree(r, v, 'seeds');
          break;
        case 'tests':
        case 'data_tests':
          if (testsKey !== null) {
            r.error(
              key,
              `'${key.name}' and '${testsKey}' are the same block: keep one`,
              "'data_tests' is the newer name",
            );
            break;
          }
          testsKey = key.name;
          config.tests = readConfigTree(r, v, key.name);
          break;
        case 'sources':
          config.sources = readConfigTree(r, v, 'sources');
          break;
        case 'on-run-start':
        case 'on-run-end': {
          const hooks = readHooks(r, v, key.name);
          if (hooks !== undefined) config[key.name === 'on-run-start' ? 'onRunStart' : 'onRunEnd'] = hooks;
          break;
        }
        case 'local': {
          const local = r.optMap(v, "'local'");
          if (local) config.local = r.js(local) as Record<string, unknown>;
          break;
        }
        default:
          if ((DBT_ONLY_PROJECT_KEYS as readonly string[]).includes(key.name)) {
            unsupported.push({ value: key.name, file: relPath, line: key.line, column: key.col });
          } else if (RENAMED[key.name]) {
            r.error(
              key,
              `'${key.name}' was renamed to '${RENAMED[key.name]}'`,
              `write ${RENAMED[key.name]}: instead`,
            );
          } else {
            r.unknownKey(key, relPath, [...PROJECT_KEYS, ...DBT_ONLY_PROJECT_KEYS]);
          }
      }
    }
    if (!sawName) r.error(map, `${relPath} needs a 'name'`, 'e.g. name: my_project');
  }
  r.done();
  if (!config.profile) config.profile = config.name;
  config.cleanTargets = cleanTargets ?? [config.targetPath];
  if (unsupported.length > 0) config.unsupported = unsupported;
  return config;
}

const PATH_FIELDS = {
  'model-paths': 'modelPaths',
  'macro-paths': 'macroPaths',
  'seed-paths': 'seedPaths',
  'test-paths': 'testPaths',
  'analysis-paths': 'analysisPaths',
} as const;

/** A hook or a list of hooks, kept as written (they are rendered at run time). */
function readHooks(r: Reader, node: YNode, what: string): string[] | undefined {
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
  if (node.kind === 'seq') {
    const out: string[] = [];
    for (const item of node.items) {
      if (item.kind === 'scalar' && typeof item.value === 'string') out.push(item.value);
      else r.error(item, `each entry of '${what}' must be a SQL string`);
    }
    return out;
  }
  r.error(node, `'${what}' must be a SQL string or a list of them`);
  return undefined;
}

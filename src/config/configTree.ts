/**
 * The `models:` / `seeds:` / `tests:` / `sources:` trees of project.yml: `+key` configs and
 * sub-folders, and how a node's folder path picks its configs.
 */
import { checkConfig, isKnownConfig, KNOWN_CONFIGS, mergeConfig, normalizeConfigKey } from './nodeConfig.js';
import { closestNames } from '../errors.js';
import type { Reader } from './reader.js';
import type { ConfigTree } from './types.js';
import { setKey, toJS, type YNode } from './yaml/ast.js';

export function emptyTree(): ConfigTree {
  return { configs: {}, children: {} };
}

/**
 * Reads one level of a config tree. `+name` keys are configs; other keys holding a mapping are
 * sub-folders (or projects, at the top); other keys holding a value are configs when the name is
 * a known config, as dbt accepts.
 */
export function readConfigTree(r: Reader, node: YNode, what: string): ConfigTree {
  const tree = emptyTree();
  if (node.kind === 'scalar' && node.value === null) return tree;
  const map = r.map(node, what);
  if (!map) return tree;
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const value = map.values[i]!;
    const plus = key.name.startsWith('+');
    if (
      !plus &&
      (value.kind === 'map' || (value.kind === 'scalar' && value.value === null && !isKnownConfig(key.name)))
    ) {
      setKey(tree.children, key.name, readConfigTree(r, value, `${what}.${key.name}`));
      continue;
    }
    const rawName = plus ? key.name.slice(1).trim() : key.name;
    if (!plus && !isKnownConfig(rawName)) {
      r.error(
        key,
        `'${key.name}' in ${what} is neither a known config nor a folder: configs start with '+', folders hold a mapping`,
        configNameHint(rawName),
      );
      continue;
    }
    const name = normalizeConfigKey(rawName);
    // Hooks are SQL for run time: env_var() in them is rendered later, with the rest of the template.
    const js = name === 'pre-hook' || name === 'post-hook' ? toJS(value) : r.js(value);
    const problem = checkConfig(name, js);
    if (problem) {
      r.error(problem.at === 'key' ? key : value, `${problem.message} in ${what}`, problem.hint);
      continue;
    }
    setKey(tree.configs, name, js);
  }
  return tree;
}

/**
 * The configs that apply to a node at `path` = [projectName, ...folders, nodeName]: every level
 * from the top of the tree down the path, merged; deeper levels win, tags and hooks accumulate.
 */
export function resolveFolderConfig(tree: ConfigTree, path: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  mergeConfig(result, tree.configs);
  let level: ConfigTree | undefined = tree;
  for (const segment of path) {
    level = Object.prototype.hasOwnProperty.call(level.children, segment)
      ? level.children[segment]
      : undefined;
    if (!level) break;
    mergeConfig(result, level.configs);
  }
  return result;
}

function configNameHint(name: string): string {
  const close = closestNames(name, KNOWN_CONFIGS, 1);
  const known = `known configs: ${KNOWN_CONFIGS.map((k) => `+${k}`).join(', ')}`;
  return close.length > 0 ? `did you mean '+${close[0]}'? ${known}` : known;
}

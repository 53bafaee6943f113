/**
 * The NodeRunContext each materialization gets: the adapter, the compiled node, and ways to
 * render hook SQL and to recompile with `is_incremental()` true.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter } from '../adapters/types.js';
import { nodeContext, type ContextHooks } from '../compiler/nodeContext.js';
import { CteRelation, ephemeralCteName, Relation } from '../compiler/relation.js';
import { QdbtError } from '../errors.js';
import type { GraphNode, Manifest } from '../manifest/types.js';
import type { NodeRunContext } from '../materialize/types.js';
import type { LoadedProject } from '../project/loadProject.js';
import { compileSelected } from '../project/selectAndCompile.js';

export interface ContextFactoryInput {
  project: LoadedProject;
  adapter: Adapter;
  fullRefresh: boolean;
  vars: Record<string, unknown>;
  /** Debug lines (Hive progress, statements) for the log file. */
  log: (uniqueId: string, message: string) => void;
}

/** ref()/source()/this as the compiler resolves them, for snippets rendered at run time. */
export function relationHooks(manifest: Manifest, node: GraphNode): ContextHooks {
  const byName = new Map<string, GraphNode>();
  for (const n of Object.values(manifest.nodes)) if (n.resource_type !== 'test') byName.set(n.name, n);
  return {
    ref: (name) => {
      const target = byName.get(name);
      if (!target)
        throw new QdbtError('template', `'${node.name}' refers to '${name}', which is not in the manifest`, {
          location: { file: node.original_file_path },
        });
      if (target.config.materialized === 'ephemeral') return new CteRelation(ephemeralCteName(target.name));
      return new Relation(target.schema, target.alias);
    },
    source: (sourceName, tableName) => {
      const source = manifest.sources[`source.${node.package_name}.${sourceName}.${tableName}`];
      if (!source) {
        throw new QdbtError(
          'template',
          `'${node.name}' refers to source '${sourceName}.${tableName}', which is not in the manifest`,
          {
            location: { file: node.original_file_path },
          },
        );
      }
      return new Relation(source.schema, source.identifier);
    },
    config: () => undefined,
    thisRelation: () =>
      node.config.materialized === 'ephemeral'
        ? new CteRelation(ephemeralCteName(node.name))
        : new Relation(node.schema, node.alias),
  };
}

export function createContextFactory(
  input: ContextFactoryInput,
): (node: GraphNode, signal: AbortSignal) => NodeRunContext {
  const { project, adapter } = input;
  const manifest = project.parsed.manifest;
  return (node, signal) => {
    let hooks: ContextHooks | null = null;
    return {
      adapter,
      manifest,
      node,
      fullRefresh: input.fullRefresh,
      vars: input.vars,
      renderTemplate(sql: string): string {
        hooks ??= relationHooks(manifest, node);
        const isIncremental = false;
        return project.parsed.engine.render(
          node.original_file_path,
          sql,
          nodeContext(node, hooks, { execute: true, isIncremental }),
        ).sql;
      },
      recompile({ isIncremental }): string {
        compileSelected(project, [node.unique_id], () => isIncremental);
        const compiled = manifest.nodes[node.unique_id]!;
        if (compiled.compiled_path && compiled.compiled_code !== undefined) {
          try {
            writeFileSync(join(project.projectDir, compiled.compiled_path), compiled.compiled_code);
          } catch {
            // The compiled file is for people to read; a failed write does not fail the node.
          }
        }
        return compiled.compiled_code ?? '';
      },
      targetExtra: project.target.extra,
      projectDir: project.projectDir,
      signal,
      log: (message) => input.log(node.unique_id, message),
    };
  };
}

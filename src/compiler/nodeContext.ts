import { splitArgs } from '../templating/args.js';
import type { CteRelation, Relation } from './relation.js';

/** What a template needs to know about the node it renders. */
export interface ContextNode {
  unique_id: string;
  name: string;
  resource_type: string;
  schema: string;
  alias: string;
  config: Record<string, unknown>;
  original_file_path: string;
  tags: string[];
}

export interface ContextHooks {
  ref(name: string, packageName: string | null, version: string | null): Relation | CteRelation;
  source(sourceName: string, tableName: string): Relation;
  /** `{{ config(materialized='table') }}`; ignored when compiling (the parse already recorded it). */
  config(values: Record<string, unknown>): void;
  thisRelation(): Relation | CteRelation;
}

export interface ContextFlags {
  /** false while parsing (dbt's `execute`), true when compiling or running. */
  execute: boolean;
  isIncremental: boolean;
}

/** The per-node names of a render: ref, source, config, this, model, is_incremental, execute. */
export function nodeContext(
  node: ContextNode,
  hooks: ContextHooks,
  flags: ContextFlags,
): Record<string, unknown> {
  const config = (...args: unknown[]) => {
    const { positional, keywords } = splitArgs(args);
    const first = positional[0];
    hooks.config(
      typeof first === 'object' && first !== null ? { ...(first as object), ...keywords } : keywords,
    );
    return '';
  };
  config.get = (key: string, fallback: unknown = null) => node.config[key] ?? fallback;
  config.require = (key: string) => {
    if (node.config[key] === undefined) throw new Error(`config '${key}' is required for ${node.name}`);
    return node.config[key];
  };

  return {
    ref: (...args: unknown[]) => {
      const { positional, keywords } = splitArgs(args);
      const version = (keywords.version ?? keywords.v ?? null) as string | null;
      if (positional.length === 2) return hooks.ref(String(positional[1]), String(positional[0]), version);
      if (positional.length !== 1)
        throw new Error(
          `ref() takes a model name (and optionally a package first), got ${positional.length} arguments`,
        );
      return hooks.ref(String(positional[0]), null, version);
    },
    source: (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      if (positional.length !== 2)
        throw new Error(`source() takes a source name and a table name, got ${positional.length} arguments`);
      return hooks.source(String(positional[0]), String(positional[1]));
    },
    config,
    get this() {
      return hooks.thisRelation();
    },
    model: {
      unique_id: node.unique_id,
      name: node.name,
      resource_type: node.resource_type,
      schema: node.schema,
      alias: node.alias,
      config: node.config,
      original_file_path: node.original_file_path,
      tags: node.tags,
    },
    is_incremental: () => flags.isIncremental,
    execute: flags.execute,
  };
}

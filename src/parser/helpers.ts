import type { HiveTarget } from '../config/types.js';
import type { ColumnInfo, CompilableNode, RefCall } from '../manifest/types.js';

// Small helpers of the parser.-------------------------------------------------------------------------------

export function targetContext(target: HiveTarget): Record<string, unknown> {
  return {
    name: target.name,
    profile_name: target.profileName,
    type: target.type,
    host: target.host,
    port: target.port,
    schema: target.schema,
    threads: target.threads,
    user: target.user ?? null,
    ...target.extra,
  };
}

export function nodeView(node: CompilableNode): Record<string, unknown> {
  return {
    unique_id: node.unique_id,
    name: node.name,
    resource_type: node.resource_type,
    fqn: node.fqn,
    original_file_path: node.original_file_path,
    path: node.path,
    config: node.config,
    tags: node.tags,
  };
}

export function baseName(resourcePath: string): string {
  const file = resourcePath.slice(resourcePath.lastIndexOf('/') + 1);
  return file.slice(0, file.lastIndexOf('.'));
}

export function folderParts(path: string): string[] {
  return path.split('/').slice(0, -1);
}

export function columnsOf(
  columns: Array<{
    name: string;
    description: string;
    data_type: string | null;
    meta: Record<string, unknown>;
    tags: string[];
  }>,
): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const c of columns)
    out[c.name] = {
      name: c.name,
      description: c.description,
      data_type: c.data_type,
      meta: c.meta,
      tags: c.tags,
    };
  return out;
}

export function asStringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function refCallOf(args: string[], line: number): RefCall {
  return args.length === 2
    ? { name: args[1]!, package: args[0]!, version: null, line }
    : { name: args[0]!, package: null, version: null, line };
}

export function dedupeRefs(refs: RefCall[]): RefCall[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.package ?? ''}.${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function dedupeSources(sources: string[][]): string[][] {
  const seen = new Set<string>();
  return sources.filter((s) => {
    const key = s.join('.');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** 1-based line of the first `fn('name'` in a template, for errors about calls made by nunjucks renders. */
export function lineOfCall(text: string, fn: string, firstArg: string): number | undefined {
  const escaped = firstArg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`\\b${fn}\\s*\\(\\s*(?:['"][^'"]*['"]\\s*,\\s*)?['"]${escaped}['"]`).exec(text);
  if (!match) return undefined;
  let line = 1;
  for (let i = 0; i < match.index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `qdbt show`: compile one model (or inline SQL) and preview its first rows. */
import type { GlobalOptions } from '../cli/globalOptions.js';
import { nodeContext } from '../compiler/nodeContext.js';
import { closestNames, QdbtError } from '../errors.js';
import type { GraphNode } from '../manifest/types.js';
import { loadProject, type LoadedProject } from '../project/loadProject.js';
import { compileSelected, selectFor } from '../project/selectAndCompile.js';
import type { Reporter } from '../reporters/reporter.js';
import { cellText, formatTable } from '../reporters/table.js';
import { relationHooks } from './nodeContext.js';
import type { RunnerDeps } from './wiring.js';
import { defaultCreateAdapter } from './wiring.js';

export interface ShowOptions {
  global: GlobalOptions;
  limit: number;
  inline?: string;
  output: 'text' | 'json';
}

export interface ShowEnv {
  reporter: Reporter;
  createAdapter?: RunnerDeps['createAdapter'];
  project?: LoadedProject;
}

/** The preview statement: the model's SQL as a subquery with a LIMIT. */
export function previewSql(sql: string, limit: number): string {
  const body = sql.trim().replace(/;\s*$/, '');
  return `select * from (\n${body}\n) qdbt_show limit ${limit}`;
}

export async function showPreview(options: ShowOptions, env: ShowEnv): Promise<number> {
  const project = env.project ?? loadProject(options.global);
  const { name, sql } =
    options.inline !== undefined ? inlineSql(project, options.inline) : selectedSql(project, options.global);
  const createAdapter = env.createAdapter ?? (await defaultCreateAdapter());
  const adapter = await createAdapter(project.target, {
    threads: 1,
    log: (line) => env.reporter.emit({ name: 'adapter_log', level: 'debug', message: line }),
  });
  try {
    const statement = previewSql(sql, options.limit);
    env.reporter.emit({ name: 'show_sql', level: 'debug', message: statement });
    const result = await adapter.execute(statement, { maxRows: options.limit, nodeId: name });
    const rows = result.rows.slice(0, options.limit);
    if (options.output === 'json') {
      const columns = result.columns.map((c) => c.name.slice(c.name.lastIndexOf('.') + 1));
      const show = rows.map((row) =>
        Object.fromEntries(columns.map((c, i) => [c, jsonCell(row[i] ?? null)])),
      );
      env.reporter.result(JSON.stringify({ node: name, show }, null, 2));
    } else {
      env.reporter.emit({
        name: 'show_node',
        level: 'info',
        message: `Previewing ${options.inline !== undefined ? 'inline node' : `node '${name}'`}:`,
      });
      env.reporter.result(formatTable(result.columns, rows));
    }
    return 0;
  } finally {
    await adapter.close().catch(() => undefined);
  }
}

function jsonCell(value: Parameters<typeof cellText>[0]): unknown {
  if (typeof value === 'bigint' || Buffer.isBuffer(value)) return cellText(value);
  return value;
}

function selectedSql(project: LoadedProject, global: GlobalOptions): { name: string; sql: string } {
  if (!global.select || global.select.length === 0) {
    throw new QdbtError('usage', 'show needs --select <model> or --inline "<sql>"');
  }
  const { selected } = selectFor(project, global, ['model', 'seed', 'test']);
  const manifest = project.parsed.manifest;
  let ids = [...selected].filter((id) => manifest.nodes[id] !== undefined);
  // A model's tests come along with it (indirect selection): show previews the model, as dbt does.
  const notTests = ids.filter((id) => manifest.nodes[id]!.resource_type !== 'test');
  if (notTests.length > 0) ids = notTests;
  if (ids.length === 0) {
    const names = Object.values(manifest.nodes).map((n) => n.name);
    const near = closestNames(global.select.join(' '), names);
    throw new QdbtError('usage', `--select ${global.select.join(' ')} matches no model`, {
      hint: near.length > 0 ? `Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : undefined,
    });
  }
  if (ids.length > 1) {
    throw new QdbtError(
      'usage',
      `--select matches ${ids.length} nodes; show previews one: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`,
    );
  }
  const node: GraphNode = manifest.nodes[ids[0]!]!;
  if (node.resource_type === 'seed')
    return {
      name: node.name,
      sql: `select * from ${node.relation_name ?? `\`${node.schema}\`.\`${node.alias}\``}`,
    };
  compileSelected(project, [node.unique_id]);
  return { name: node.name, sql: node.compiled_code ?? '' };
}

function inlineSql(project: LoadedProject, text: string): { name: string; sql: string } {
  const manifest = project.parsed.manifest;
  const pseudo = {
    unique_id: `sql_operation.${project.config.name}.inline_query`,
    name: 'inline_query',
    resource_type: 'model',
    schema: project.target.schema,
    alias: 'inline_query',
    config: { materialized: 'view' },
    original_file_path: '<inline>',
    package_name: project.config.name,
    tags: [],
  } as unknown as GraphNode;
  const sql = project.parsed.engine.render(
    '<inline>',
    text,
    nodeContext(pseudo, relationHooks(manifest, pseudo), { execute: true, isIncremental: false }),
  ).sql;
  return { name: 'inline_query', sql };
}

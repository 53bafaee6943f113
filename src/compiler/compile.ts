import { QdbtError, QdbtErrors } from '../errors.js';
import type { GraphNode, Manifest, TestNode } from '../manifest/types.js';
import type { TemplateEngine } from '../templating/engine.js';
import { staticRender, type StaticCall } from '../templating/staticParser.js';
import { BUILTIN_PATH_PREFIX } from '../parser/builtinMacros.js';
import { renderBuiltinTest } from './builtinTests.js';
import { injectCtes } from './ephemeral.js';
import { nodeContext, type ContextHooks } from './nodeContext.js';
import { CteRelation, ephemeralCteName, Relation } from './relation.js';

export interface CompileInput {
  manifest: Manifest;
  engine: TemplateEngine;
  /** Parse-time literal calls per node: such nodes compile by substitution, without nunjucks. */
  staticCalls: ReadonlyMap<string, { staticCalls: StaticCall[] | null }>;
  /** Whether `is_incremental()` is true for a node (the runner knows; `compile` says false). */
  isIncremental?: (node: GraphNode) => boolean;
}

/**
 * Compile nodes in place: `compiled_code`, `extra_ctes`, `compiled`. Pure: the caller writes files.
 * Ephemeral models are compiled on demand and inlined as `dbt__cte__<name>` CTEs.
 */
export function compileNodes(uniqueIds: Iterable<string>, input: CompileInput): void {
  new NodeCompiler(input).compileAll(uniqueIds);
}

/** Models and seeds by name, built once per manifest: the runner compiles one node at a time. */
const nodesByName = new WeakMap<Manifest, Map<string, GraphNode>>();

function byNameOf(manifest: Manifest): Map<string, GraphNode> {
  let byName = nodesByName.get(manifest);
  if (!byName) {
    byName = new Map();
    for (const node of Object.values(manifest.nodes)) {
      if (node.resource_type !== 'test') byName.set(node.name, node);
    }
    nodesByName.set(manifest, byName);
  }
  return byName;
}

class NodeCompiler {
  private readonly byName: Map<string, GraphNode>;
  /** Ephemeral models' own SQL (without their CTEs) and the ephemerals each one needs. */
  private readonly ephemeralSql = new Map<string, { sql: string; needs: string[] }>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly input: CompileInput) {
    this.byName = byNameOf(input.manifest);
  }

  compileAll(uniqueIds: Iterable<string>): void {
    const errors: QdbtError[] = [];
    for (const uniqueId of uniqueIds) {
      const node = this.input.manifest.nodes[uniqueId];
      if (!node) continue;
      try {
        this.compileNode(node);
      } catch (error) {
        if (error instanceof QdbtErrors) errors.push(...error.errors);
        else if (error instanceof QdbtError) errors.push(error);
        else throw error;
      }
    }
    if (errors.length === 1) throw errors[0]!;
    if (errors.length > 1) throw new QdbtErrors(errors);
  }

  private compileNode(node: GraphNode): void {
    if (node.resource_type === 'seed') {
      node.compiled_code = '';
      node.compiled = true;
      return;
    }
    const { sql, needs } = this.renderNode(node);
    const ctes = this.collectCtes(needs);
    node.extra_ctes = ctes;
    node.extra_ctes_injected = true;
    node.compiled_code = injectCtes(sql, ctes);
    node.compiled = true;
  }

  /** Render a node's template with real relations; returns the ephemeral models it refers to. */
  private renderNode(node: GraphNode): { sql: string; needs: string[] } {
    const needs: string[] = [];
    // The dependencies parsing recorded are the only nodes a node may use: the runner orders nodes
    // by them. Parsing renders with `execute` false, so a ref() inside `{% if execute %}` or
    // `{% if is_incremental() %}` is not among them. Generic tests are exempt: their dependencies
    // come from their YAML, not from rendering the test's macro.
    const parsed =
      node.resource_type === 'test' && (node as TestNode).test_metadata ? null : node.depends_on.nodes;
    const resolveRef = (name: string, line?: number): Relation | CteRelation => {
      const target = this.byName.get(name);
      if (!target) {
        throw new QdbtError('template', `'${node.name}' refers to '${name}', which is not in the manifest`, {
          location: { file: node.original_file_path },
        });
      }
      if (parsed !== null && !parsed.includes(target.unique_id)) {
        throw notParsed(node, `ref('${name}')`, line);
      }
      if (target.config.materialized === 'ephemeral') {
        needs.push(target.unique_id);
        return new CteRelation(ephemeralCteName(target.name));
      }
      return new Relation(target.schema, target.alias);
    };
    const resolveSource = (sourceName: string, tableName: string, line?: number): Relation => {
      const source = this.input.manifest.sources[`source.${node.package_name}.${sourceName}.${tableName}`];
      if (!source) {
        throw new QdbtError(
          'template',
          `'${node.name}' refers to source '${sourceName}.${tableName}', which is not in the manifest`,
          {
            location: { file: node.original_file_path },
          },
        );
      }
      if (parsed !== null && !parsed.includes(source.unique_id)) {
        throw notParsed(node, `source('${sourceName}', '${tableName}')`, line);
      }
      return new Relation(source.schema, source.identifier);
    };

    if (node.resource_type === 'test' && (node as TestNode).test_metadata) {
      return { sql: this.renderGenericTest(node as TestNode, resolveRef, resolveSource), needs };
    }

    const calls = this.input.staticCalls.get(node.unique_id)?.staticCalls;
    if (calls) {
      const sql = staticRender(node.raw_code, calls, (call) => {
        if (call.kind === 'ref') return String(resolveRef(call.args[call.args.length - 1]!, call.line));
        if (call.kind === 'source') return String(resolveSource(call.args[0]!, call.args[1]!, call.line));
        return '';
      });
      return { sql, needs };
    }
    const hooks: ContextHooks = {
      ref: (name) => resolveRef(name),
      source: resolveSource,
      config: () => undefined,
      thisRelation: () =>
        node.config.materialized === 'ephemeral'
          ? new CteRelation(ephemeralCteName(node.name))
          : new Relation(node.schema, node.alias),
    };
    const isIncremental = this.input.isIncremental?.(node) ?? false;
    const { sql } = this.input.engine.render(
      node.original_file_path,
      node.raw_code,
      nodeContext(node, hooks, { execute: true, isIncremental }),
    );
    return { sql, needs };
  }

  private renderGenericTest(
    node: TestNode,
    resolveRef: (name: string) => Relation | CteRelation,
    resolveSource: (s: string, t: string) => Relation,
  ): string {
    const metadata = node.test_metadata!;
    const attached = node.attached_node ?? '';
    let model: unknown;
    if (attached.startsWith('source.')) {
      const source = this.input.manifest.sources[attached]!;
      model = resolveSource(source.source_name, source.name);
    } else {
      model = resolveRef(this.input.manifest.nodes[attached]?.name ?? attached);
    }
    const where = node.config.where;
    if (typeof where === 'string' && where.trim() !== '')
      model = new SubqueryRelation(`(select * from ${String(model)} where ${where}) dbt_subquery`);
    const kwargs: Record<string, unknown> = { ...metadata.kwargs, model };
    for (const [key, value] of Object.entries(kwargs)) {
      if (typeof value !== 'string') continue;
      const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(value);
      const source = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(value);
      if (ref) kwargs[key] = resolveRef(ref[1]!);
      else if (source) kwargs[key] = resolveSource(source[1]!, source[2]!);
    }
    const hooks: ContextHooks = {
      ref: (name) => resolveRef(name),
      source: resolveSource,
      config: () => undefined,
      thisRelation: () => new Relation(node.schema, node.alias),
    };
    if (this.isBuiltinTest(metadata.name)) {
      const fast = renderBuiltinTest(metadata.name, kwargs);
      if (fast !== null) return fast;
    }
    try {
      return this.input.engine.renderGenericTest(
        metadata.name,
        kwargs,
        nodeContext(node, hooks, { execute: true, isIncremental: false }),
      );
    } catch (error) {
      if (error instanceof QdbtError) {
        throw new QdbtError(
          'template',
          `test '${node.name}' (${node.original_file_path}): ${error.message}`,
          {
            location: error.location,
            hint: error.hint,
          },
        );
      }
      throw error;
    }
  }

  private readonly builtinTests = new Map<string, boolean>();

  /** A built-in generic test the project has not replaced with a `{% test %}` block of its own. */
  private isBuiltinTest(name: string): boolean {
    let builtin = this.builtinTests.get(name);
    if (builtin === undefined) {
      builtin = this.input.engine.genericTests().get(name)?.file.startsWith(BUILTIN_PATH_PREFIX) ?? false;
      this.builtinTests.set(name, builtin);
    }
    return builtin;
  }

  /** The ephemeral models a node needs, dependencies first, each once. */
  private collectCtes(needs: string[]): Array<{ id: string; sql: string }> {
    const ordered: Array<{ id: string; sql: string }> = [];
    const seen = new Set<string>();
    const visit = (uniqueId: string) => {
      if (seen.has(uniqueId)) return;
      seen.add(uniqueId);
      const compiled = this.compileEphemeral(uniqueId);
      for (const dep of compiled.needs) visit(dep);
      const node = this.input.manifest.nodes[uniqueId]!;
      ordered.push({
        id: uniqueId,
        sql: `${ephemeralCteName(node.name)} as (\n${compiled.sql.trim()}\n)`,
      });
    };
    for (const uniqueId of needs) visit(uniqueId);
    return ordered;
  }

  private compileEphemeral(uniqueId: string): { sql: string; needs: string[] } {
    const cached = this.ephemeralSql.get(uniqueId);
    if (cached) return cached;
    if (this.inProgress.has(uniqueId)) {
      const node = this.input.manifest.nodes[uniqueId]!;
      throw new QdbtError(
        'graph',
        `ephemeral model '${node.name}' refers to itself through other ephemeral models`,
        {
          location: { file: node.original_file_path },
        },
      );
    }
    this.inProgress.add(uniqueId);
    const result = this.renderNode(this.input.manifest.nodes[uniqueId]!);
    this.inProgress.delete(uniqueId);
    this.ephemeralSql.set(uniqueId, result);
    return result;
  }
}

/**
 * A ref()/source() the parse did not record (as dbt: "unable to infer all dependencies"). Rendered
 * by the engine, the error gets the line of the call (or of the macro call that made it) on its way out.
 */
function notParsed(node: GraphNode, call: string, line: number | undefined): QdbtError {
  return new QdbtError(
    'template',
    `${node.resource_type} '${node.name}' uses ${call}, which parsing did not record as a dependency: parsing renders with execute false, so a call inside {% if execute %} or {% if is_incremental() %} is not seen`,
    {
      location:
        line === undefined ? { file: node.original_file_path } : { file: node.original_file_path, line },
      hint: `Add this line at the top of ${node.original_file_path}: -- depends_on: {{ ${call} }}`,
    },
  );
}

/** `where:` on a test: the model becomes a filtered subquery. */
class SubqueryRelation {
  constructor(private readonly sql: string) {}
  toString(): string {
    return this.sql;
  }
}

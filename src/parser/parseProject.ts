import { createHash } from 'node:crypto';
import type { HiveTarget, NodePatch, ProjectConfig, PropertyFile, TestDefinition } from '../config/types.js';
import { configErrors, parsePropertyFile, resolveFolderConfig } from '../config/index.js';
import { closestNames, QdbtError, QdbtErrors } from '../errors.js';
import { buildGraph, parentAndChildMaps, type ProjectGraph } from '../graph/graph.js';
import { parseSelectorsFile } from '../graph/selectors.js';
import type {
  CompilableNode,
  GraphNode,
  MacroNode,
  Manifest,
  RefCall,
  SeedNode,
  SourceDefinition,
} from '../manifest/types.js';
import { MANIFEST_SCHEMA_VERSION } from '../manifest/types.js';
import { nodeContext, type ContextHooks } from '../compiler/nodeContext.js';
import { Relation, relationName } from '../compiler/relation.js';
import { createBaseContext } from '../templating/baseContext.js';
import { createTemplateEngine, prepareSimpleTemplate, type TemplateEngine } from '../templating/engine.js';
import { staticParse, type StaticCall } from '../templating/staticParser.js';
import { TemplateTranslator } from '../templating/translateAhead.js';
import { QDBT_VERSION } from '../version.js';
import { builtinTestFiles } from './builtinMacros.js';
import { genericTestName, genericTestNode } from './genericTests.js';
import {
  asStringList,
  baseName,
  columnsOf,
  dedupeRefs,
  dedupeSources,
  folderParts,
  lineOfCall,
  nodeView,
  refCallOf,
  targetContext,
} from './helpers.js';
import { defaultConfig, mergeConfig } from './nodeConfig.js';
import type { ProjectFiles, SourceFile } from './projectFiles.js';

export interface ParseInput {
  files: ProjectFiles;
  config: ProjectConfig;
  target: HiveTarget;
  /** project.yml vars with --vars over them. */
  vars: Record<string, unknown>;
  /** --vars alone, which also win over vars scoped to the project's name. */
  cliVars?: Record<string, unknown>;
  env: Record<string, string | undefined>;
  invocationId: string;
  runStartedAt: Date;
  /** Where templates' `log()` (and `exceptions.warn()`) write; `info` false is debug output. */
  log?: (message: string, info: boolean) => void;
}

/** What the compiler can reuse from parsing without rendering again. */
export interface NodeParseInfo {
  /** Literal ref/source/config calls when the template needed no nunjucks at all. */
  staticCalls: StaticCall[] | null;
}

export interface ParseResult {
  manifest: Manifest;
  /** The graph of the manifest's nodes and sources (cycles already refused). */
  graph: ProjectGraph;
  engine: TemplateEngine;
  baseContext: Record<string, unknown>;
  parseInfo: Map<string, NodeParseInfo>;
  warnings: string[];
}

/** Project files to a manifest: templates rendered once to record ref, source and config. No I/O. */
export function parseProject(input: ParseInput): ParseResult {
  return new ProjectParser(input).parse();
}

interface PendingNode {
  node: CompilableNode;
  file: SourceFile;
  /** The file's own config() calls, merged over project.yml and property YAML. */
  inFileConfig: Record<string, unknown>;
  /** 1-based line of the first config() call, where its errors point. */
  configLine: number | null;
  customSchema: string | null;
}

class ProjectParser {
  private readonly projectName: string;
  private readonly errors: QdbtError[] = [];
  private readonly warnings: string[] = [];
  private readonly parseInfo = new Map<string, NodeParseInfo>();
  private readonly nodes: Record<string, GraphNode> = {};
  private readonly disabled: Manifest['disabled'] = {};
  private readonly sources: Record<string, SourceDefinition> = {};
  private readonly modelPatches = new Map<string, { patch: NodePatch; file: string }>();
  private readonly seedPatches = new Map<string, { patch: NodePatch; file: string }>();
  private readonly nodeByName = new Map<string, string>();
  private readonly disabledNames = new Set<string>();
  private readonly propertyFiles: PropertyFile[] = [];
  private readonly engine: TemplateEngine;
  private readonly baseContext: Record<string, unknown>;
  private readonly createdAt = Date.now() / 1000;
  /** Each model's and test's literal-only calls, or null where the template needs nunjucks. */
  private readonly staticCallsByPath = new Map<string, StaticCall[] | null>();
  private readonly translator: TemplateTranslator | null;

  constructor(private readonly input: ParseInput) {
    this.projectName = input.config.name;
    this.baseContext = createBaseContext({
      vars: input.vars,
      projectName: input.config.name,
      cliVars: input.cliVars,
      env: input.env,
      target: targetContext(input.target),
      invocationId: input.invocationId,
      runStartedAt: input.runStartedAt,
      log: input.log,
    });
    // Templates that need all of nunjucks are translated on another thread while this one does the rest.
    const needNunjucks: Array<{ source: string; name: string }> = [];
    for (const file of [...input.files.models, ...input.files.singularTests]) {
      const calls = staticParse(file.text);
      this.staticCallsByPath.set(file.path, calls);
      if (!calls && !prepareSimpleTemplate(file.text, file.path))
        needNunjucks.push({ source: file.text, name: file.path });
    }
    this.translator = TemplateTranslator.start(needNunjucks);
    const projectMacros = input.files.macros.map((file) => ({ path: file.path, source: file.text }));
    this.engine = createTemplateEngine({
      macroFiles: [...builtinTestFiles(projectMacros.map((m) => m.source)), ...projectMacros],
      baseContext: this.baseContext,
      translator: this.translator,
    });
  }

  parse(): ParseResult {
    try {
      return this.parseAll();
    } finally {
      this.translator?.close();
    }
  }

  private parseAll(): ParseResult {
    this.readPropertyFiles();
    this.buildSources();
    const pending = [
      ...this.input.files.models.map((file) => this.newNode('model', file)),
      ...this.input.files.seeds.map((file) => this.newNode('seed', file)),
      ...this.input.files.singularTests.map((file) => this.newNode('test', file)),
    ];
    for (const item of pending) this.registerName(item);
    this.throwIfErrors();
    for (const item of pending) {
      if (item.node.resource_type === 'seed') this.finishNode(item, []);
      else this.renderForParse(item);
    }
    this.throwIfErrors();
    for (const item of pending) this.resolveDependencies(item.node);
    this.buildGenericTests();
    this.throwIfErrors();
    this.warnAboutUnusedPatches();

    const { manifest, graph } = this.assemble();
    return {
      manifest,
      graph,
      engine: this.engine,
      baseContext: this.baseContext,
      parseInfo: this.parseInfo,
      warnings: this.warnings,
    };
  }

  // ---- property YAML ---------------------------------------------------------------------------

  private readPropertyFiles(): void {
    for (const file of this.input.files.propertyFiles) {
      try {
        const parsed = parsePropertyFile(file.text, file.path);
        this.propertyFiles.push(parsed);
        for (const patch of parsed.models) this.addPatch(this.modelPatches, patch, file.path, 'model');
        for (const patch of parsed.seeds) this.addPatch(this.seedPatches, patch, file.path, 'seed');
      } catch (error) {
        this.collect(error);
      }
    }
  }

  private addPatch(
    into: Map<string, { patch: NodePatch; file: string }>,
    patch: NodePatch,
    file: string,
    kind: string,
  ): void {
    const existing = into.get(patch.name);
    if (existing) {
      this.errors.push(
        new QdbtError('project', `${kind} '${patch.name}' is described twice: in ${existing.file} and here`, {
          location: { file, line: patch.location.line, column: patch.location.column },
          hint: 'Keep one entry per node across all property files.',
        }),
      );
      return;
    }
    into.set(patch.name, { patch, file });
  }

  private buildSources(): void {
    for (const file of this.propertyFiles) {
      for (const source of file.sources) {
        for (const table of source.tables) {
          const uniqueId = `source.${this.projectName}.${source.name}.${table.name}`;
          if (this.sources[uniqueId]) {
            this.errors.push(
              new QdbtError('project', `source '${source.name}.${table.name}' is declared twice`, {
                location: { file: file.path, line: table.location.line, column: table.location.column },
              }),
            );
            continue;
          }
          const identifier = table.identifier ?? table.name;
          const sourceConfig = resolveFolderConfig(this.input.config.sources, [
            this.projectName,
            source.name,
            table.name,
          ]);
          this.sources[uniqueId] = {
            unique_id: uniqueId,
            resource_type: 'source',
            package_name: this.projectName,
            name: table.name,
            source_name: source.name,
            source_description: source.description,
            description: table.description,
            path: file.path,
            original_file_path: file.path,
            fqn: [this.projectName, ...folderParts(file.path).slice(1), source.name, table.name],
            database: source.database,
            schema: source.schema,
            identifier,
            relation_name: relationName(source.schema, identifier),
            loaded_at_field: table.loaded_at_field ?? source.loaded_at_field,
            freshness: table.freshness === undefined ? source.freshness : table.freshness,
            columns: columnsOf(table.columns),
            tags: [...new Set([...source.tags, ...table.tags, ...asStringList(sourceConfig.tags)])],
            meta: { ...source.meta, ...table.meta },
            config: {
              enabled: sourceConfig.enabled !== false,
              tags: asStringList(sourceConfig.tags),
              meta: {},
            },
            landing: table.landing,
            patch_path: file.path,
          };
        }
      }
    }
  }

  // ---- models, seeds, singular tests -----------------------------------------------------------

  private newNode(resourceType: 'model' | 'seed' | 'test', file: SourceFile): PendingNode {
    const name = baseName(file.resourcePath);
    const folders = file.resourcePath.split('/').slice(0, -1);
    const tree =
      resourceType === 'model'
        ? this.input.config.models
        : resourceType === 'seed'
          ? this.input.config.seeds
          : this.input.config.tests;
    const config = defaultConfig(resourceType);
    mergeConfig(config, resolveFolderConfig(tree, [this.projectName, ...folders, name]));
    const patchEntry =
      resourceType === 'model'
        ? this.modelPatches.get(name)
        : resourceType === 'seed'
          ? this.seedPatches.get(name)
          : undefined;
    const patch = patchEntry?.patch;
    if (patch) mergeConfig(config, patch.config);

    const uniqueId =
      resourceType === 'test'
        ? `test.${this.projectName}.${name}`
        : `${resourceType}.${this.projectName}.${name}`;
    const node: CompilableNode = {
      unique_id: uniqueId,
      resource_type: resourceType,
      package_name: this.projectName,
      name,
      path: file.resourcePath,
      original_file_path: file.path,
      fqn: [this.projectName, ...folders, name],
      description: patch?.description ?? '',
      tags: [],
      meta: {},
      database: null,
      schema: this.input.target.schema,
      alias: name,
      relation_name: null,
      config,
      checksum: { name: 'sha256', checksum: file.checksum },
      language: 'sql',
      raw_code: resourceType === 'seed' ? '' : file.text,
      compiled: false,
      depends_on: { macros: [], nodes: [] },
      refs: [],
      sources: [],
      columns: patch ? columnsOf(patch.columns) : {},
      patch_path: patchEntry ? patchEntry.file : null,
      unrendered_config: {},
      created_at: this.createdAt,
    };
    if (resourceType === 'seed') (node as SeedNode).root_path = this.input.files.projectDir;
    if (resourceType === 'test') Object.assign(node, { column_name: null, attached_node: null });
    return { node, file, inFileConfig: {}, configLine: null, customSchema: null };
  }

  private registerName(item: PendingNode): void {
    const { node } = item;
    if (node.resource_type === 'test') {
      this.nodes[node.unique_id] = node as GraphNode;
      return;
    }
    const existing = this.nodeByName.get(node.name);
    if (existing) {
      const other = this.nodes[existing] ?? undefined;
      this.errors.push(
        new QdbtError(
          'project',
          `two nodes are named '${node.name}': ${other?.original_file_path ?? existing} and ${node.original_file_path}`,
          {
            location: { file: node.original_file_path, line: 1 },
            hint: 'Node names must be unique within a project: rename one of the files.',
          },
        ),
      );
      return;
    }
    this.nodeByName.set(node.name, node.unique_id);
    this.nodes[node.unique_id] = node as GraphNode;
  }

  /** Render once with recording ref/source/config; the fast path skips nunjucks for literal-only templates. */
  private renderForParse(item: PendingNode): void {
    const { node, file } = item;
    const refs: RefCall[] = [];
    const sources: string[][] = [];
    const staticCalls = this.staticCallsByPath.has(file.path)
      ? this.staticCallsByPath.get(file.path)!
      : staticParse(file.text);
    if (staticCalls) {
      for (const call of staticCalls) {
        if (call.kind === 'ref') refs.push(refCallOf(call.args, call.line));
        else if (call.kind === 'source') sources.push([call.args[0]!, call.args[1]!]);
        else {
          Object.assign(item.inFileConfig, call.kwargs);
          item.configLine ??= call.line;
        }
      }
      this.parseInfo.set(node.unique_id, { staticCalls });
      this.finishNode(item, []);
      node.refs = refs;
      node.sources = sources;
      return;
    }
    const hooks: ContextHooks = {
      ref: (name, packageName) => {
        refs.push({ name, package: packageName, version: null });
        return new Relation(this.input.target.schema, name);
      },
      source: (sourceName, tableName) => {
        sources.push([sourceName, tableName]);
        return new Relation(sourceName, tableName);
      },
      config: (values) => Object.assign(item.inFileConfig, values),
      thisRelation: () => new Relation(node.schema, node.alias),
    };
    try {
      const rendered = this.engine.render(
        file.path,
        file.text,
        nodeContext(node, hooks, { execute: false, isIncremental: false }),
      );
      this.parseInfo.set(node.unique_id, { staticCalls: null });
      this.finishNode(item, rendered.macrosCalled);
    } catch (error) {
      this.collect(error);
    }
    node.refs = dedupeRefs(refs);
    node.sources = dedupeSources(sources);
  }

  /** Apply the file's own config(), then name the relation (generate_schema_name / generate_alias_name). */
  private finishNode(item: PendingNode, macrosCalled: string[]): void {
    const { node } = item;
    if (item.configLine !== null || hasKeys(item.inFileConfig)) {
      // The same checks as project.yml's and property YAML's, pointing at the config() call.
      const line = item.configLine ?? lineOfConfigCall(item.file.text);
      for (const error of configErrors(item.inFileConfig, { file: item.file.path, line }))
        this.errors.push(error);
    }
    mergeConfig(node.config, item.inFileConfig);
    node.unrendered_config = { ...item.inFileConfig };
    node.tags = asStringList(node.config.tags);
    node.meta = { ...node.config.meta };
    node.depends_on.macros = [...new Set(macrosCalled)]
      .map((name) => `macro.${this.projectName}.${name}`)
      .sort();
    if (node.config.enabled === false) {
      this.markDisabled(node);
      return;
    }
    try {
      node.schema = this.schemaFor(node);
      node.alias = this.aliasFor(node);
    } catch (error) {
      this.collect(error);
    }
    const ephemeral = node.config.materialized === 'ephemeral';
    node.relation_name =
      node.resource_type === 'test' || ephemeral ? null : relationName(node.schema, node.alias);
  }

  private markDisabled(node: CompilableNode): void {
    delete this.nodes[node.unique_id];
    this.nodeByName.delete(node.name);
    this.disabledNames.add(node.name);
    (this.disabled[node.unique_id] ??= []).push({
      unique_id: node.unique_id,
      resource_type: node.resource_type,
      original_file_path: node.original_file_path,
    });
  }

  private schemaFor(node: CompilableNode): string {
    const custom =
      typeof node.config.schema === 'string' && node.config.schema.trim() !== ''
        ? node.config.schema.trim()
        : null;
    if (this.engine.hasMacro('generate_schema_name')) {
      return String(
        this.engine.callMacro('generate_schema_name', [custom, nodeView(node)], {}, this.macroContext(node)),
      ).trim();
    }
    return custom ? `${this.input.target.schema}_${custom}` : this.input.target.schema;
  }

  private aliasFor(node: CompilableNode): string {
    const custom =
      typeof node.config.alias === 'string' && node.config.alias.trim() !== ''
        ? node.config.alias.trim()
        : null;
    if (this.engine.hasMacro('generate_alias_name')) {
      return String(
        this.engine.callMacro('generate_alias_name', [custom, nodeView(node)], {}, this.macroContext(node)),
      ).trim();
    }
    return custom ?? node.name;
  }

  private macroContext(node: CompilableNode): Record<string, unknown> {
    return { model: nodeView(node), this: null };
  }

  // ---- dependencies ----------------------------------------------------------------------------

  private resolveDependencies(node: CompilableNode): void {
    if (!this.nodes[node.unique_id]) return; // disabled
    const dependsOn = new Set<string>();
    for (const ref of node.refs) {
      const target = this.resolveRef(node, ref);
      if (target) dependsOn.add(target);
    }
    for (const [sourceName, tableName] of node.sources) {
      const target = this.resolveSource(node, sourceName!, tableName!, undefined);
      if (target) dependsOn.add(target);
    }
    node.depends_on.nodes = [...dependsOn].sort();
  }

  private resolveRef(
    node: { name: string; original_file_path: string; resource_type: string; raw_code?: string },
    ref: RefCall,
  ): string | null {
    // Lines of nunjucks-rendered calls are looked up only when there is an error to report.
    const line = () => ref.line ?? (node.raw_code ? lineOfCall(node.raw_code, 'ref', ref.name) : undefined);
    if (ref.package !== null && ref.package !== this.projectName) {
      this.errors.push(
        new QdbtError(
          'project',
          `${node.resource_type} '${node.name}' refers to package '${ref.package}', which this project does not have`,
          {
            location: { file: node.original_file_path, line: line() },
            hint: `Use ref('${ref.name}') or ref('${this.projectName}', '${ref.name}').`,
          },
        ),
      );
      return null;
    }
    const target = this.nodeByName.get(ref.name);
    if (target && !target.startsWith('test.')) return target;
    if (this.disabledNames.has(ref.name)) {
      this.errors.push(
        new QdbtError(
          'project',
          `${node.resource_type} '${node.name}' depends on '${ref.name}', which is disabled`,
          {
            location: { file: node.original_file_path, line: line() },
            hint: `Enable '${ref.name}' (config enabled: true) or remove the ref.`,
          },
        ),
      );
      return null;
    }
    const suggestions = closestNames(ref.name, [...this.nodeByName.keys()]);
    this.errors.push(
      new QdbtError(
        'project',
        `${node.resource_type} '${node.name}' depends on a node named '${ref.name}' which was not found`,
        {
          location: { file: node.original_file_path, line: line() },
          hint: suggestions.length
            ? `Did you mean: ${suggestions.join(', ')}?`
            : 'Check the model name in ref(); models are named after their file.',
        },
      ),
    );
    return null;
  }

  private resolveSource(
    node: { name: string; original_file_path: string; resource_type: string; raw_code?: string },
    sourceName: string,
    tableName: string,
    line: number | undefined,
  ): string | null {
    const uniqueId = `source.${this.projectName}.${sourceName}.${tableName}`;
    if (this.sources[uniqueId]) return uniqueId;
    if (line === undefined && node.raw_code) line = lineOfCall(node.raw_code, 'source', sourceName);
    const known = Object.values(this.sources).map((s) => `${s.source_name}.${s.name}`);
    const suggestions = closestNames(`${sourceName}.${tableName}`, known);
    this.errors.push(
      new QdbtError(
        'project',
        `${node.resource_type} '${node.name}' depends on source '${sourceName}.${tableName}' which was not found`,
        {
          location: { file: node.original_file_path, line },
          hint: suggestions.length
            ? `Did you mean: ${suggestions.join(', ')}?`
            : 'Declare it under `sources:` in a property YAML file in models/.',
        },
      ),
    );
    return null;
  }

  // ---- generic data tests ----------------------------------------------------------------------

  private buildGenericTests(): void {
    const generic = this.engine.genericTests();
    const attach = (
      targetId: string,
      targetName: string,
      column: string | null,
      definitions: TestDefinition[],
      file: string,
    ) => {
      for (const definition of definitions) {
        const macroName = definition.namespace
          ? `${definition.namespace}.${definition.testName}`
          : definition.testName;
        if (!generic.has(definition.testName)) {
          const suggestions = closestNames(definition.testName, [...generic.keys()]);
          this.errors.push(
            new QdbtError(
              'project',
              `unknown data test '${macroName}' on ${column ? `column '${column}' of ` : ''}'${targetName}'`,
              {
                location: { file, line: definition.location.line, column: definition.location.column },
                hint: suggestions.length
                  ? `Did you mean: ${suggestions.join(', ')}?`
                  : `Built-in tests: not_null, unique, accepted_values, relationships; custom ones are {% test %} blocks in macros/.`,
              },
            ),
          );
          continue;
        }
        this.addGenericTest(targetId, targetName, column, definition, file);
      }
    };
    for (const node of Object.values(this.nodes)) {
      if (node.resource_type !== 'model' && node.resource_type !== 'seed') continue;
      const patch = (node.resource_type === 'model' ? this.modelPatches : this.seedPatches).get(node.name);
      if (!patch) continue;
      attach(node.unique_id, node.name, null, patch.patch.tests, patch.file);
      for (const column of patch.patch.columns)
        attach(node.unique_id, node.name, column.name, column.tests, patch.file);
    }
    for (const file of this.propertyFiles) {
      for (const source of file.sources) {
        for (const table of source.tables) {
          const targetId = `source.${this.projectName}.${source.name}.${table.name}`;
          attach(targetId, `${source.name}_${table.name}`, null, table.tests, file.path);
          for (const column of table.columns)
            attach(targetId, `${source.name}_${table.name}`, column.name, column.tests, file.path);
        }
      }
    }
  }

  private addGenericTest(
    targetId: string,
    targetName: string,
    column: string | null,
    definition: TestDefinition,
    file: string,
  ): void {
    const kwargs: Record<string, unknown> = { ...definition.kwargs };
    if (column !== null) kwargs.column_name = column;
    const name =
      definition.name ?? genericTestName(definition, targetName, kwargs, targetId.startsWith('source.'));
    const hash = createHash('md5')
      .update(`${targetId}|${name}|${JSON.stringify(kwargs)}`)
      .digest('hex')
      .slice(0, 10);
    const uniqueId = `test.${this.projectName}.${name}.${hash}`;
    const config = defaultConfig('test');
    mergeConfig(config, resolveFolderConfig(this.input.config.tests, [this.projectName, name]));
    mergeConfig(config, definition.config);
    if (config.enabled === false) return;
    const owner = { name, original_file_path: file, resource_type: 'test' };
    const dependsOn = new Set<string>([targetId]);
    const refs: RefCall[] = [];
    const sources: string[][] = [];
    for (const value of Object.values(kwargs)) {
      if (typeof value !== 'string') continue;
      const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(value);
      const source = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(value);
      if (ref) {
        const call: RefCall = { name: ref[1]!, package: null, version: null, line: definition.location.line };
        refs.push(call);
        const resolved = this.resolveRef(owner, call);
        if (resolved) dependsOn.add(resolved);
      } else if (source) {
        sources.push([source[1]!, source[2]!]);
        const resolved = this.resolveSource(owner, source[1]!, source[2]!, definition.location.line);
        if (resolved) dependsOn.add(resolved);
      }
    }
    const test = genericTestNode({
      projectName: this.projectName,
      uniqueId,
      name,
      hash,
      targetId,
      targetName,
      column,
      definition,
      kwargs,
      config,
      file,
      schema: `${this.input.target.schema}_dbt_test__audit`,
      dependsOn: [...dependsOn].sort(),
      refs,
      sources,
      createdAt: this.createdAt,
    });
    if (this.nodes[uniqueId]) {
      this.errors.push(
        new QdbtError('project', `the test '${name}' is defined twice on '${targetName}'`, {
          location: { file, line: definition.location.line, column: definition.location.column },
          hint: 'Remove the duplicate, or give one a distinct `name:`.',
        }),
      );
      return;
    }
    this.nodes[uniqueId] = test;
  }

  private warnAboutUnusedPatches(): void {
    for (const [name, { patch, file }] of this.modelPatches) {
      if (!this.nodeByName.has(name) && !this.disabledNames.has(name))
        this.warnings.push(
          `${file}:${patch.location.line}: model '${name}' is described but no models/**/${name}.sql exists`,
        );
    }
    for (const [name, { patch, file }] of this.seedPatches) {
      if (!this.nodeByName.has(name) && !this.disabledNames.has(name))
        this.warnings.push(
          `${file}:${patch.location.line}: seed '${name}' is described but no seeds/**/${name}.csv exists`,
        );
    }
  }

  // ---- assembly --------------------------------------------------------------------------------

  private assemble(): { manifest: Manifest; graph: ProjectGraph } {
    const macros: Record<string, MacroNode> = {};
    const macroDocs = new Map(
      this.propertyFiles.flatMap((file) => file.macros.map((m) => [m.name, m] as const)),
    );
    for (const macro of this.engine.macros()) {
      if (macro.file.startsWith('<qdbt>')) continue;
      const uniqueId = `macro.${this.projectName}.${macro.name}`;
      const docs = macroDocs.get(macro.name);
      macros[uniqueId] = {
        unique_id: uniqueId,
        resource_type: 'macro',
        package_name: this.projectName,
        name: macro.name,
        path: macro.file,
        original_file_path: macro.file,
        macro_sql: macro.source,
        depends_on: { macros: [] },
        description: docs?.description ?? '',
        arguments: docs?.arguments ?? macro.args.map((name) => ({ name, type: null, description: '' })),
      };
    }
    const selectors = this.input.files.selectorsFile
      ? parseSelectorsFile(this.input.files.selectorsFile.text, this.input.files.selectorsFile.path)
      : {};
    const graph = buildGraph({ nodes: this.nodes, sources: this.sources });
    const { parent_map, child_map } = parentAndChildMaps(graph);
    const manifest: Manifest = {
      metadata: {
        dbt_schema_version: MANIFEST_SCHEMA_VERSION,
        qdbt_version: QDBT_VERSION,
        generated_at: this.input.runStartedAt.toISOString(),
        invocation_id: this.input.invocationId,
        project_name: this.projectName,
        adapter_type: this.input.target.type,
        env: {},
      },
      nodes: this.nodes,
      sources: this.sources,
      macros,
      selectors: selectors as Record<string, unknown>,
      parent_map,
      child_map,
      disabled: this.disabled,
      docs: {},
      exposures: {},
      metrics: {},
      groups: {},
      semantic_models: {},
      saved_queries: {},
      unit_tests: {},
    };
    return { manifest, graph };
  }

  private collect(error: unknown): void {
    if (error instanceof QdbtErrors) this.errors.push(...error.errors);
    else if (error instanceof QdbtError) this.errors.push(error);
    else throw error;
  }

  private throwIfErrors(): void {
    if (this.errors.length === 1) throw this.errors[0]!;
    if (this.errors.length > 1) throw new QdbtErrors(this.errors.splice(0));
  }
}

/** The line of a template's first `config(` call (rendered templates do not say where a call was). */
function lineOfConfigCall(text: string): number | undefined {
  const at = /\bconfig\s*\(/.exec(text)?.index;
  if (at === undefined) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function hasKeys(object: Record<string, unknown>): boolean {
  for (const _key in object) return true;
  return false;
}

/**
 * `qdbt docs generate`: compile (as `qdbt compile` does), write manifest.json, read the catalog
 * from the warehouse, read the landing ledgers from the lake, and write catalog.json and a
 * self-contained index.html into the target folder. The lake being down never fails the build:
 * the page is written without landed files and a warning says why.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter } from '../adapters/types.js';
import { readRunResults, type RunResults } from '../artifacts/runResults.js';
import { CompiledFileWriter, writeFileAtomic, writeManifest } from '../artifacts/writeArtifacts.js';
import type { GlobalOptions } from '../cli/globalOptions.js';
import type { HiveTarget } from '../config/types.js';
import { QdbtError, QdbtErrors } from '../errors.js';
import { webHdfsClientFor } from '../ingest/context.js';
import { landingDeclarations } from '../ingest/landing/declarations.js';
import type { LandingDeclaration } from '../ingest/landing/types.js';
import type { LedgerRecord } from '../ingest/ledger/index.js';
import { loadProject, type LoadedProject } from '../project/loadProject.js';
import { compileSelected, selectFor } from '../project/selectAndCompile.js';
import { withLogFile } from '../reporters/logFile.js';
import type { Reporter } from '../reporters/reporter.js';
import { QDBT_VERSION } from '../version.js';
import { buildCatalog, expectedRelations, type Catalog } from './catalog.js';
import { renderDocsHtml } from './html.js';
import { dagreBrowserBuild } from './layoutLibrary.js';
import { buildDocsData, type DocsData } from './model.js';
import { readCatalogFacts } from './readCatalog.js';
import { readLedgers } from './readLedger.js';

export interface DocsGenerateOptions {
  global: GlobalOptions;
  /** false: `--no-compile`, parse only (no compiled SQL in the page). */
  compile: boolean;
  /** `--empty-catalog`: do not ask the warehouse; catalog.json has no entries. */
  emptyCatalog: boolean;
  /** false: `--no-ledger`, do not read the landing ledgers from the lake. */
  ledger: boolean;
  /** Newest ledger files per source shown in the lineage. */
  ledgerFiles: number;
  lakeRoot?: string;
  ledgerTimeoutMs?: number;
}

export interface DocsGenerateEnv {
  reporter: Reporter;
  createAdapter?: (
    target: HiveTarget,
    options: { threads?: number; log?: (line: string) => void },
  ) => Promise<Adapter>;
  project?: LoadedProject;
}

export interface DocsGenerateResult {
  targetDir: string;
  catalog: Catalog;
  data: DocsData;
}

export async function generateDocs(
  options: DocsGenerateOptions,
  env: DocsGenerateEnv,
): Promise<DocsGenerateResult> {
  const started = performance.now();
  const project = env.project ?? loadProject(options.global);
  const reporter = withLogFile(
    env.reporter,
    join(project.projectDir, project.config.logPath, 'qdbt.log'),
    project.invocationId,
  );
  const warn = (name: string, message: string) => reporter.emit({ name, level: 'warn', message });
  try {
    const manifest = project.parsed.manifest;
    for (const warning of project.parsed.warnings) warn('parse_warning', warning);
    const selecting = Boolean(
      options.global.select?.length || options.global.exclude?.length || options.global.selector,
    );
    if (options.compile) await compileProject(project, options.global, warn);
    mkdirSync(project.targetDir, { recursive: true });
    writeManifest(project.targetDir, manifest);

    const notes: string[] = [];
    let catalog: Catalog;
    if (options.emptyCatalog) {
      catalog = buildCatalog({ expected: [], facts: new Map(), invocationId: project.invocationId });
      notes.push('The catalog was not read (--empty-catalog): column types are the declared ones.');
    } else {
      const only = selecting
        ? selectFor(project, options.global, ['model', 'seed', 'source']).selected
        : undefined;
      catalog = await readCatalog(project, options.global, env, only, reporter);
    }
    writeFileAtomic(join(project.targetDir, 'catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);

    const lakeRoot = options.lakeRoot ?? stringExtra(project.target, 'lake_root') ?? '/lake';
    const declarations = declarationsOf(project, lakeRoot, warn);
    let ledger: Map<string, LedgerRecord[]> | null = null;
    if (!options.ledger)
      notes.push('The landing ledger was not read (--no-ledger): landed files are not shown.');
    else if (declarations.length > 0) {
      const problem = await (async (): Promise<string | null> => {
        let client;
        try {
          client = webHdfsClientFor(project.target);
        } catch (error) {
          return error instanceof QdbtError ? error.message : String(error);
        }
        try {
          const read = await readLedgers(client, declarations, { timeoutMs: options.ledgerTimeoutMs });
          if (!read.problem) ledger = read.records;
          return read.problem ? `WebHDFS at ${client.activeUrl}: ${read.problem}` : null;
        } finally {
          client.close();
        }
      })();
      if (problem) {
        const line = `The landing ledger was not read (${problem}); the docs show the landing declarations without landed files. Pass --no-ledger to skip it.`;
        warn('docs_ledger_unread', line);
        notes.push(line);
      }
    }

    const runResults = readLastRunResults(project.targetDir, warn);
    const data = buildDocsData({
      manifest,
      catalog: options.emptyCatalog ? null : catalog,
      declarations,
      ledger,
      runResults,
      notes,
      filesPerSource: options.ledgerFiles,
      qdbtVersion: QDBT_VERSION,
    });
    const html = renderDocsHtml(data, dagreBrowserBuild());
    writeFileAtomic(join(project.targetDir, 'index.html'), html);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const files = data.nodes.filter((n) => n.kind === 'file').length;
    reporter.emit({
      name: 'docs_generated',
      level: 'info',
      message:
        `Docs written to ${join(project.config.targetPath, 'index.html')} in ${seconds}s: ` +
        `${data.nodes.length - files} nodes, ${Object.keys(catalog.nodes).length + Object.keys(catalog.sources).length} relations in the catalog, ` +
        `${ledger ? `${files} landed files from the ledger` : 'no ledger'}`,
      data: { nodes: data.nodes.length, files, seconds: Number(seconds), target_dir: project.targetDir },
    });
    return { targetDir: project.targetDir, catalog, data };
  } finally {
    reporter.close();
  }
}

async function compileProject(
  project: LoadedProject,
  global: GlobalOptions,
  warn: (name: string, message: string) => void,
): Promise<void> {
  const { selected, warnings } = selectFor(project, global, ['model', 'test', 'seed']);
  for (const warning of warnings) warn('selection_warning', warning);
  const writer = new CompiledFileWriter(project.projectDir);
  const ids = [...selected];
  try {
    for (let start = 0; start < ids.length; start += 1000) {
      writer.enqueue(compileSelected(project, ids.slice(start, start + 1000)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await writer.drain();
  }
}

async function readCatalog(
  project: LoadedProject,
  global: GlobalOptions,
  env: DocsGenerateEnv,
  only: Set<string> | undefined,
  reporter: Reporter,
): Promise<Catalog> {
  const expected = expectedRelations(project.parsed.manifest, only);
  const threads = global.threads ?? project.target.threads ?? 4;
  const create = env.createAdapter ?? (await import('../adapters/index.js')).createAdapter;
  const log = (line: string) => reporter.emit({ name: 'adapter_log', level: 'debug', message: line });
  let adapter: Adapter;
  try {
    adapter = await create(project.target, { threads, log });
  } catch (error) {
    throw new QdbtError(
      'runtime',
      `Cannot read the catalog: ${error instanceof Error ? error.message : String(error)}`,
      { hint: 'Pass --empty-catalog to write the docs without asking the warehouse.', cause: error },
    );
  }
  try {
    const read = await readCatalogFacts(adapter, expected, { concurrency: threads, log });
    for (const error of read.errors)
      reporter.emit({ name: 'catalog_error', level: 'warn', message: `Catalog: ${error}` });
    reporter.emit({
      name: 'catalog_read',
      level: 'debug',
      message: `catalog: ${read.stats.schemas} schemas, ${read.stats.showStatements} SHOW TABLE EXTENDED, ${read.stats.describes} DESCRIBE`,
      data: { ...read.stats },
    });
    return buildCatalog({
      expected,
      facts: read.facts,
      invocationId: project.invocationId,
      errors: read.errors,
    });
  } finally {
    await adapter.close();
  }
}

function declarationsOf(
  project: LoadedProject,
  lakeRoot: string,
  warn: (name: string, message: string) => void,
): LandingDeclaration[] {
  try {
    return landingDeclarations(project.parsed.manifest, { lakeRoot });
  } catch (error) {
    // A broken landing: block fails ingestion, not the docs; say so and show the sources alone.
    const errors = error instanceof QdbtErrors ? error.errors : error instanceof QdbtError ? [error] : null;
    if (!errors) throw error;
    for (const e of errors) warn('landing_declaration_error', `Landing declaration not shown: ${e.format()}`);
    return [];
  }
}

function readLastRunResults(
  targetDir: string,
  warn: (name: string, message: string) => void,
): RunResults | null {
  if (!existsSync(join(targetDir, 'run_results.json'))) return null;
  try {
    return readRunResults(targetDir);
  } catch (error) {
    warn(
      'run_results_unread',
      `Test statuses not shown: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}

function stringExtra(target: HiveTarget, key: string): string | undefined {
  const value = target.extra[key];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

import type { Command } from 'commander';
import { readProjectFiles } from '../../parser/projectFiles.js';
import { cacheKey, hasCache, readCacheHit, statCacheKey, writeCache } from '../../project/compileCache.js';
import { readProjectHead, type ReadProject } from '../../project/readProject.js';
import { contextFrom } from '../globalOptions.js';

export function registerCompileCommand(program: Command): void {
  program
    .command('compile')
    .description(
      'render models, tests and analyses to SQL under target/compiled/ and write target/manifest.json',
    )
    .option('--no-cache', 'parse and compile everything even if nothing changed')
    .action(async (opts: { cache: boolean }, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const started = performance.now();
      const phases: Record<string, number> = {};
      let mark = started;
      const phase = (name: string) => {
        const now = performance.now();
        phases[name] = Math.round(now - mark);
        mark = now;
      };
      // The cache is asked twice: by the files' sizes and mtimes (no file read), then by contents.
      const head = readProjectHead(options);
      const selection = { select: options.select, exclude: options.exclude, selector: options.selector };
      const cacheable = opts.cache && !options.state;
      let statKey = cacheable && hasCache(head.targetDir) ? statCacheKey(head, 'compile', selection) : null;
      let hit = readCacheHit(head, statKey, 'compile', true);
      let key: string | null = null;
      let read: ReadProject | null = null;
      if (!hit) {
        read = { ...head, files: readProjectFiles(head.projectDir, head.config) };
        key = cacheable ? cacheKey(read, 'compile', selection) : null;
        statKey = cacheable ? statCacheKey(head, 'compile', selection, read.files.statFingerprint) : null;
        hit = readCacheHit(read, key, 'compile');
        if (hit && statKey) writeCache(head.targetDir, { ...hit, stat_key: statKey });
      }
      phase('read');
      if (hit || !read) {
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        reporter.emit({
          name: 'compile_summary',
          level: 'info',
          message: `Nothing changed: ${String(hit?.summary.compiled)} compiled nodes and the manifest are up to date (${seconds}s)`,
          data: { ...hit?.summary, written: 0, cached: true, seconds: Number(seconds) },
        });
        return;
      }
      // Parsing and compiling are loaded only when the cache cannot answer.
      const { CompiledFileWriter, writeManifest } = await import('../../artifacts/writeArtifacts.js');
      // The writing thread starts (tens of milliseconds) while the project is parsed.
      const writer = new CompiledFileWriter(read.projectDir);
      let compiledCount = 0;
      let written: number;
      let envUsed: Record<string, string | null>;
      try {
        const [{ parseReadProject }, { compileSelected, selectFor }] = await Promise.all([
          import('../../project/loadProject.js'),
          import('../../project/selectAndCompile.js'),
        ]);
        const project = parseReadProject(read, options.templateLog);
        envUsed = project.envUsed;
        phase('parse');
        for (const warning of project.parsed.warnings)
          reporter.emit({ name: 'parse_warning', level: 'warn', message: warning });
        const { selected, warnings } = selectFor(project, options, ['model', 'test', 'seed']);
        for (const warning of warnings)
          reporter.emit({ name: 'selection_warning', level: 'warn', message: warning });
        // Compile in slices and let the files of one slice be written while the next compiles.
        const ids = [...selected];
        for (let start = 0; start < ids.length; start += 1000) {
          const slice = compileSelected(project, ids.slice(start, start + 1000));
          compiledCount += slice.length;
          writer.enqueue(slice);
        }
        phase('compile');
        // The manifest is written while the worker is still writing compiled files.
        writeManifest(project.targetDir, project.parsed.manifest);
        phase('write_manifest');
        written = await writer.drain();
        phase('write_compiled');
      } catch (error) {
        // A running thread would keep the process alive after the error is reported.
        await writer.close();
        throw error;
      }
      reporter.emit({
        name: 'compile_timing',
        level: 'debug',
        message: `timing (ms): ${JSON.stringify(phases)}`,
        data: phases,
      });
      if (key)
        writeCache(head.targetDir, {
          command: 'compile',
          key,
          stat_key: statKey ?? '',
          env_used: envUsed,
          summary: { compiled: compiledCount },
        });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      reporter.emit({
        name: 'compile_summary',
        level: 'info',
        message: `Compiled ${compiledCount} nodes (${written} files changed) in ${seconds}s; manifest at ${head.config.targetPath}/manifest.json`,
        data: { compiled: compiledCount, written, cached: false, seconds: Number(seconds) },
      });
    });
}

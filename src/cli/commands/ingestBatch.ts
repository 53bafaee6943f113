import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ingestBatchOnce, watchBatch, type BatchSummary } from '../../ingest/batch/run.js';
import { ingestContext } from '../../ingest/context.js';
import { findDeclaration } from '../../ingest/landing/declarations.js';
import { QdbtError } from '../../errors.js';
import { contextFrom } from '../globalOptions.js';

interface Flags {
  source?: string[];
  from?: string;
  watch: boolean;
  interval: string;
  settle?: string;
  parallel: string;
  lakeRoot?: string;
  retryQuarantined: boolean;
}

function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new QdbtError('usage', `${flag} takes seconds, not '${value}'`);
  return n;
}

/** `qdbt ingest batch`: land new files of the landing folder in the lake and register them. */
export function registerBatchIngest(ingest: Command): void {
  ingest
    .command('batch')
    .description(
      'land new batch files (CSV, JSON lines) in the lake, checked against their landing: declaration',
    )
    .option('--source <source.table...>', 'only these source tables (default: every batch declaration)')
    .option('--from <dir>', 'the landing folder to scan (default: landing/incoming in the project)')
    .option('--watch', 'keep polling for new files until stopped (SIGTERM/SIGINT stop cleanly)', false)
    .option('--interval <seconds>', 'seconds between passes with --watch', '10')
    .option(
      '--settle <seconds>',
      'leave files modified less than this long ago for the next pass (default 1)',
    )
    .option('--parallel <n>', 'files landed at once', '4')
    .option(
      '--retry-quarantined',
      'try every quarantined file again once, even when its declaration is unchanged (those whose declaration changed are retried anyway)',
      false,
    )
    .option('--lake-root <path>', "the lake's HDFS root (default: the target's lake_root, else /lake)")
    .action(async (flags: Flags, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const context = ingestContext({ ...options, lakeRoot: flags.lakeRoot });
      const batch = context.declarations.filter((d) => d.kind === 'batch');
      const declarations = flags.source?.length ? flags.source.map((s) => findDeclaration(batch, s)) : batch;
      if (!declarations.length)
        throw new QdbtError('usage', 'No source table has a batch landing: block', {
          hint: "Add landing: {kind: batch, files: '...', columns: [...]} to a source table (docs/ingestion.md).",
        });
      const from = resolve(flags.from ?? join(context.projectDir, 'landing', 'incoming'));
      const controller = new AbortController();
      const stop = (signal: string) => {
        if (controller.signal.aborted) return;
        reporter.emit({
          name: 'ingest_stopping',
          level: 'info',
          message: `${signal}: finishing the files in progress, then stopping`,
        });
        controller.abort();
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
      let failed = 0;
      const report = (s: BatchSummary) => {
        failed += s.failed;
        const parts = [
          `${s.landed} landed`,
          `${s.skipped} skipped (landed or quarantined before)`,
          ...(s.retried ? [`${s.retried} quarantined before retried`] : []),
          ...(s.recovered ? [`${s.recovered} interrupted landings finished`] : []),
          `${s.quarantined} quarantined`,
          ...(s.failed ? [`${s.failed} failed`] : []),
          `rows: ${s.rowsIn} in = ${s.rowsLanded} landed + ${s.rowsRejected} rejected`,
          `${(s.bytes / 1e6).toFixed(1)} MB in ${s.seconds.toFixed(1)}s`,
          ...(s.partitionsRegistered ? [`${s.partitionsRegistered} partitions registered`] : []),
        ];
        if (s.landed + s.quarantined + s.failed > 0 || !flags.watch)
          reporter.emit({
            name: 'batch_summary',
            level: s.failed ? 'error' : s.quarantined ? 'warn' : 'info',
            message: `ingest batch (${from}): ${parts.join(', ')}`,
            data: { ...s },
          });
      };
      const batchOptions = {
        client: context.client,
        adapter: context.adapter,
        declarations,
        from,
        parallel: Math.max(1, Number(flags.parallel) || 4),
        settleMs: flags.settle !== undefined ? seconds(flags.settle, '--settle') * 1000 : 1000,
        retryQuarantined: flags.retryQuarantined,
        signal: controller.signal,
        emit: (e: {
          name: string;
          level: 'debug' | 'info' | 'warn' | 'error';
          message: string;
          data?: Record<string, unknown>;
        }) => reporter.emit(e),
      };
      try {
        if (flags.watch) {
          reporter.emit({
            name: 'ingest_watching',
            level: 'info',
            message: `watching ${from} every ${flags.interval}s (stop with Ctrl-C or SIGTERM)`,
          });
          await watchBatch({
            ...batchOptions,
            intervalMs: seconds(flags.interval, '--interval') * 1000,
            onPass: report,
          });
        } else report(await ingestBatchOnce(batchOptions));
      } finally {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        await context.close();
      }
      if (failed) process.exitCode = 1;
    });
}

import type { Command } from 'commander';
import {
  compact,
  formatDuration,
  parseDuration,
  parseSize,
  type PartitionCompaction,
} from '../../ingest/compaction/index.js';
import { ingestContext } from '../../ingest/context.js';
import { findDeclaration } from '../../ingest/landing/declarations.js';
import { parsePartitionPath, partitionPath } from '../../ingest/register/ddl.js';
import { QdbtError } from '../../errors.js';
import { contextFrom } from '../globalOptions.js';

interface Flags {
  source: string;
  partition?: string[];
  targetSize: string;
  retainSuperseded: string;
  dryRun: boolean;
  lakeRoot?: string;
  lateMs?: string;
  lakePath?: string;
  stagingSchema?: string;
}

/** The error line of a partition left unswapped: which, the counts, and what to do. */
export function failedLine(source: string, r: PartitionCompaction): string {
  const key = partitionPath(r.partition);
  const args = Object.entries(r.partition)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${source} ${key}: FAILED, ${r.reason ?? 'not compacted'}. The partition still reads its own files in ${r.location ?? key}; nothing was lost. Re-run \`qdbt compact --source ${source} --partition ${args}\`; if the counts differ again, a file changed while it was read or the merge is wrong: keep those files and report it.`;
}

/** `qdbt compact`: merge the small files of a staging table's closed partitions. */
export function registerCompactCommand(program: Command): void {
  program
    .command('compact')
    .description("merge the small files of a source's closed partitions into files near a target size")
    .requiredOption('--source <source.table>', 'the source table with a landing: block')
    .option('--partition <k=v...>', 'only partitions matching these values, e.g. dt=2024-01-05 hr=07')
    .option('--target-size <size>', 'size of the merged files', '128MB')
    .option(
      '--late-ms <ms>',
      'an event-time partition is closed this long after its hour ends (late events); default 3600000',
    )
    .option(
      '--retain-superseded <duration>',
      'keep the files a swap replaced this long (queries that started before it may still read them); later runs delete them. 0 deletes them at once',
      '1h',
    )
    .option('--dry-run', 'say what would be merged, change nothing', false)
    .option('--lake-root <path>', "the lake's HDFS root (default: the target's lake_root, else /lake)")
    .option('--lake-path <path>', "override the declaration's lake folder (as given to ingest stream)")
    .option('--staging-schema <schema>', "override the staging table's schema (Hive database)")
    .action(async (flags: Flags, command: Command) => {
      const { options, reporter } = contextFrom(command);
      let targetBytes: number;
      try {
        targetBytes = parseSize(flags.targetSize);
      } catch (error) {
        throw new QdbtError('usage', `--target-size: ${(error as Error).message}`);
      }
      let retainSupersededMs: number;
      try {
        retainSupersededMs = parseDuration(flags.retainSuperseded);
      } catch (error) {
        throw new QdbtError('usage', `--retain-superseded: ${(error as Error).message}`);
      }
      const lateMs = flags.lateMs === undefined ? undefined : Number(flags.lateMs);
      if (lateMs !== undefined && (!Number.isFinite(lateMs) || lateMs < 0))
        throw new QdbtError('usage', `--late-ms takes a non-negative number, not '${flags.lateMs}'`);
      const partition = flags.partition?.length ? parsePartitionPath(flags.partition.join('/')) : undefined;
      const context = ingestContext({ ...options, lakeRoot: flags.lakeRoot });
      try {
        const found = findDeclaration(context.declarations, flags.source);
        const declaration = {
          ...found,
          lakePath: flags.lakePath ?? found.lakePath,
          stagingTable: { ...found.stagingTable, schema: flags.stagingSchema ?? found.stagingTable.schema },
        };
        const results = await compact({
          client: context.client,
          adapter: await context.adapter(),
          declaration,
          partition,
          targetBytes,
          lateMs,
          retainSupersededMs,
          dryRun: flags.dryRun,
          emit: (e) => reporter.emit(e),
        });
        for (const r of results)
          reporter.emit({
            name: 'compaction_result',
            level:
              r.status === 'failed'
                ? 'error'
                : r.status === 'compacted' || r.status === 'planned' || r.supersededPurged
                  ? 'info'
                  : 'debug',
            message:
              r.status === 'failed'
                ? failedLine(flags.source, r)
                : `${partitionPath(r.partition)}: ${r.status}${r.reason ? ` (${r.reason})` : ''}, files ${r.filesBefore} -> ${r.filesAfter}, MB ${(r.bytesBefore / 1e6).toFixed(1)} -> ${(r.bytesAfter / 1e6).toFixed(1)}${r.rows ? `, ${r.rows} rows checked` : ''}${r.supersededPurged ? `; ${r.supersededPurged} superseded folders purged` : ''}`,
            data: { ...r },
          });
        const done = results.filter((r) => r.status === 'compacted');
        const failed = results.filter((r) => r.status === 'failed');
        const purged = results.reduce((n, r) => n + (r.supersededPurged ?? 0), 0);
        const kept = done.filter((r) => r.superseded).length;
        reporter.emit({
          name: 'compaction_summary',
          level: failed.length ? 'error' : 'info',
          message: `compact ${flags.source}: ${done.length} of ${results.length} partitions compacted${failed.length ? `, ${failed.length} FAILED` : ''}, files ${results.reduce((n, r) => n + r.filesBefore, 0)} -> ${results.reduce((n, r) => n + r.filesAfter, 0)}; ${results.filter((r) => r.status === 'open').length} still open; ${purged} superseded folders purged${kept ? `, old files of ${kept} kept for ${formatDuration(retainSupersededMs)} (--retain-superseded)` : ''}`,
          data: {
            compacted: done.length,
            failed: failed.length,
            superseded_purged: purged,
            superseded_kept: kept,
          },
        });
        // A failed partition is a failed node: the others are done, the command exits 1.
        if (failed.length) process.exitCode = 1;
      } finally {
        await context.close();
      }
    });
}

import type { Command } from 'commander';
import { registerBatchIngest } from './ingestBatch.js';
import { registerStreamIngest } from './ingestStream.js';

/** `qdbt ingest batch|stream|produce-sample`: land raw data in the lake and register it. */
export function registerIngestCommands(program: Command): void {
  const ingest = program.command('ingest').description('land batch files and Kafka streams in the HDFS lake');
  registerBatchIngest(ingest);
  registerStreamIngest(ingest);
}

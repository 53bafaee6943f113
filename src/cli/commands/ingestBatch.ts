import type { Command } from 'commander';

/** `qdbt ingest batch` — owned by the batch ingestion work. */
export function registerBatchIngest(_ingest: Command): void {}

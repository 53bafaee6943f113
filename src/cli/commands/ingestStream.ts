import type { Command } from 'commander';

/** `qdbt ingest stream` and `qdbt ingest produce-sample` — owned by the stream ingestion work. */
export function registerStreamIngest(_ingest: Command): void {}

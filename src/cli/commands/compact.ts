import type { Command } from 'commander';

/** `qdbt compact` — owned by the batch ingestion work. */
export function registerCompactCommand(_program: Command): void {}

import type { Command } from 'commander';

/** `qdbt debug` — owned by the local stack work. */
export function registerDebugCommand(_program: Command): void {}

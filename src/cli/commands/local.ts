import type { Command } from 'commander';

/** `qdbt local up|down|status|logs|reset` — owned by the local stack work. */
export function registerLocalCommands(_program: Command): void {}

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, ReporterEvent } from './reporter.js';

/**
 * A reporter that also appends every event, debug lines included, to a log file
 * (`logs/qdbt.log`). The file is opened lazily and written synchronously, so the last lines
 * before a crash or a Ctrl-C are on disk.
 */
export interface LoggingReporter extends Reporter {
  /** The log file path. */
  readonly logPath: string;
  close(): void;
}

export function withLogFile(inner: Reporter, logPath: string, invocationId?: string): LoggingReporter {
  let fd: number | null = null;
  let failed = false;
  const write = (line: string): void => {
    if (failed) return;
    try {
      if (fd === null) {
        mkdirSync(dirname(logPath), { recursive: true });
        fd = openSync(logPath, 'a');
      }
      writeSync(fd, line);
    } catch {
      // A log file we cannot write must not fail the run.
      failed = true;
    }
  };
  write(`\n============================== ${new Date().toISOString()} | ${invocationId ?? ''}\n`);
  return {
    logPath,
    emit(event: ReporterEvent): void {
      write(formatLogLine(event));
      inner.emit(event);
    },
    result(text: string): void {
      inner.result(text);
    },
    close(): void {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** `2026-01-01T12:00:00.000Z [info ] node_finished: 1 of 2 OK ...` plus the event's data as JSON. */
export function formatLogLine(event: ReporterEvent): string {
  const data = event.data && Object.keys(event.data).length > 0 ? ` ${safeJson(event.data)}` : '';
  return `${new Date().toISOString()} [${event.level.padEnd(5)}] ${event.name}: ${event.message}${data}\n`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '{}';
  }
}

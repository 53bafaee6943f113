import pc from 'picocolors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One thing that happened, as both console text and a JSON line can show it. */
export interface ReporterEvent {
  /** Machine name, e.g. `node_finished`, `compile_summary`. */
  name: string;
  level: LogLevel;
  /** Human text for the console. */
  message: string;
  data?: Record<string, unknown>;
}

/** All user-facing output goes through a reporter; nothing deep in qdbt calls console.log. */
export interface Reporter {
  emit(event: ReporterEvent): void;
  /** Raw output that is the command's result (e.g. `qdbt ls`), never decorated. */
  result(text: string): void;
}

export interface ReporterOptions {
  format: 'text' | 'json';
  color: boolean;
  quiet: boolean;
  debug: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export function createReporter(options: ReporterOptions): Reporter {
  return options.format === 'json' ? new JsonLinesReporter(options) : new ConsoleReporter(options);
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 19);
}

class ConsoleReporter implements Reporter {
  private readonly colors: ReturnType<typeof pc.createColors>;
  constructor(private readonly options: ReporterOptions) {
    this.colors = pc.createColors(options.color);
  }

  emit(event: ReporterEvent): void {
    if (event.level === 'debug' && !this.options.debug) return;
    if (this.options.quiet && (event.level === 'info' || event.level === 'debug')) return;
    const c = this.colors;
    const paint = event.level === 'error' ? c.red : event.level === 'warn' ? c.yellow : (s: string) => s;
    const stream = event.level === 'error' || event.level === 'warn' ? this.options.err : this.options.out;
    (stream ?? process.stderr).write(`${c.dim(timestamp())}  ${paint(event.message)}\n`);
  }

  result(text: string): void {
    (this.options.out ?? process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** BIGINT values (exact `bigint`s from the adapter) as their decimal text. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** One event as the JSON line `--log-format json` prints (newline included). */
export function jsonLine(event: ReporterEvent): string {
  const line = {
    ts: new Date().toISOString(),
    level: event.level,
    name: event.name,
    msg: event.message,
    data: event.data ?? {},
  };
  return `${JSON.stringify(line, jsonSafe)}\n`;
}

class JsonLinesReporter implements Reporter {
  constructor(private readonly options: ReporterOptions) {}

  emit(event: ReporterEvent): void {
    if (event.level === 'debug' && !this.options.debug) return;
    if (event.message === '' && event.name === 'blank') return;
    (this.options.out ?? process.stdout).write(jsonLine(event));
  }

  result(text: string): void {
    (this.options.out ?? process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

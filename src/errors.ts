/** Where in a project file something went wrong. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export type ErrorKind = 'project' | 'usage' | 'template' | 'graph' | 'runtime';

/**
 * Every error a user should read. `message` says what is wrong, `hint` what to do.
 * Project, usage, template and graph errors exit with 2; runtime errors (a failed node) with 1.
 */
export class QdbtError extends Error {
  readonly kind: ErrorKind;
  readonly location?: SourceLocation;
  readonly hint?: string;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { location?: SourceLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QdbtError';
    this.kind = kind;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** `file:line:col: message\n  hint` — the form editors and CI logs can jump to. */
  format(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : '';
    return `${where}${this.message}${this.hint ? `\n  ${this.hint}` : ''}`;
  }

  get exitCode(): number {
    return this.kind === 'runtime' ? 1 : 2;
  }
}

export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  return text;
}

export function projectError(message: string, location?: SourceLocation, hint?: string): QdbtError {
  return new QdbtError('project', message, { location, hint });
}

/** Collects several errors so that one run reports all problems of a file set, not just the first. */
export class QdbtErrors extends Error {
  readonly errors: QdbtError[];
  constructor(errors: QdbtError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'QdbtErrors';
    this.errors = errors;
  }
}

/** Closest names by edit distance, for "did you mean" hints. */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<[number, string]> = [];
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d <= limit) scored.push([d, candidate]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map(([, c]) => c);
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = row;
  }
  return prev[b.length]!;
}

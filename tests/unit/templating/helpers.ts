import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { splitArgs } from '../../../src/templating/args.js';
import { createBaseContext } from '../../../src/templating/baseContext.js';
import { createTemplateEngine, type MacroFile, type TemplateEngine } from '../../../src/templating/engine.js';

export const GOLDEN_DIR = join(import.meta.dirname, '../../golden/templating');

/** A relation as the compiler hands it to templates: prints as `schema`.`table`. */
export class Relation {
  constructor(
    readonly schema: string,
    readonly identifier: string,
  ) {}
  toString(): string {
    return `\`${this.schema}\`.\`${this.identifier}\``;
  }
}

export function nodeContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ref: (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      return new Relation('analytics', String(positional[positional.length - 1]));
    },
    source: (...args: unknown[]) => {
      const { positional } = splitArgs(args);
      return new Relation(String(positional[0]), String(positional[1]));
    },
    config: () => '',
    this: new Relation('analytics', 'current_model'),
    model: { name: 'current_model', config: { materialized: 'table' } },
    is_incremental: () => false,
    ...overrides,
  };
}

export function baseContext(logs: string[] = []): Record<string, unknown> {
  return createBaseContext({
    vars: { start_date: '2024-01-01' },
    env: { QDBT_TEST_USER: 'ci' },
    target: { name: 'dev', schema: 'analytics' },
    invocationId: '00000000-0000-4000-8000-000000000000',
    runStartedAt: new Date('2024-05-06T07:08:09.123Z'),
    log: (message, info) => logs.push(`${info ? 'info' : 'debug'}: ${message}`),
  });
}

export function goldenMacroFiles(): MacroFile[] {
  const dir = join(GOLDEN_DIR, 'macros');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ path: `macros/${f}`, source: readFileSync(join(dir, f), 'utf8') }));
}

export function engineWith(macros: Record<string, string>, logs: string[] = []): TemplateEngine {
  return createTemplateEngine({
    macroFiles: Object.entries(macros).map(([path, source]) => ({ path, source })),
    baseContext: baseContext(logs),
  });
}

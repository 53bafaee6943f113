import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CompiledFileWriter } from '../../../src/artifacts/writeArtifacts.js';
import type { GraphNode } from '../../../src/manifest/types.js';

const dir = mkdtempSync(join(tmpdir(), 'qdbt-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Nodes as the compiler leaves them: a compiled path (relative to the project) and the SQL. */
function nodes(count: number, sql: (i: number) => string): GraphNode[] {
  return Array.from(
    { length: count },
    (_, i) =>
      ({
        compiled_path: `target/compiled/p/models/f${i % 7}/m_${i}.sql`,
        compiled_code: sql(i),
      }) as unknown as GraphNode,
  );
}

async function write(all: GraphNode[], batch: number): Promise<number> {
  const writer = new CompiledFileWriter(dir);
  for (let start = 0; start < all.length; start += batch) writer.enqueue(all.slice(start, start + batch));
  return writer.drain();
}

describe('CompiledFileWriter', () => {
  // Many small batches: the worker and the main thread (in drain) both claim some; each is written once.
  test('writes every file of every batch once, and counts them', async () => {
    const all = nodes(400, (i) => `select ${i}`);
    expect(await write(all, 10)).toBe(400);
    for (const i of [0, 1, 199, 399])
      expect(readFileSync(join(dir, `target/compiled/p/models/f${i % 7}/m_${i}.sql`), 'utf8')).toBe(
        `select ${i}`,
      );
  });

  test('leaves unchanged files alone and rewrites changed ones', async () => {
    expect(
      await write(
        nodes(400, (i) => `select ${i}`),
        10,
      ),
    ).toBe(0);
    expect(
      await write(
        nodes(400, (i) => (i === 123 ? 'select changed' : `select ${i}`)),
        10,
      ),
    ).toBe(1);
    expect(readFileSync(join(dir, 'target/compiled/p/models/f4/m_123.sql'), 'utf8')).toBe('select changed');
  });

  test('SQL holding the separator (NUL) is written as it is', async () => {
    expect(
      await write(
        nodes(3, (i) => `select '\0${i}'`),
        2,
      ),
    ).toBe(3);
    expect(readFileSync(join(dir, 'target/compiled/p/models/f2/m_2.sql'), 'utf8')).toBe(`select '\0${2}'`);
  });

  test('nothing to write', async () => {
    expect(await write([], 10)).toBe(0);
  });
});

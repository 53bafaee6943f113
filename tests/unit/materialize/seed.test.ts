import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import { createSeedExecutor, type SeedFileStore } from '../../../src/materialize/index.js';
import { col, context, FakeAdapter, golden, SPARK, seed, table, transcriptOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'qdbt-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(dir, 'p-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function failure(promise: Promise<unknown>): Promise<QdbtError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof QdbtError)) throw new Error(`expected a QdbtError, got ${String(error)}`);
  return error;
}

class FakeStore implements SeedFileStore {
  readonly calls: string[] = [];
  readonly files = new Map<string, Buffer>();
  async mkdirs(path: string): Promise<void> {
    this.calls.push(`mkdirs ${path}`);
  }
  async put(path: string, bytes: Buffer): Promise<void> {
    this.calls.push(`put ${path} (${bytes.length} bytes)`);
    this.files.set(path, bytes);
  }
  async delete(path: string, options: { recursive: boolean }): Promise<void> {
    this.calls.push(`delete ${path}${options.recursive ? ' recursive' : ''}`);
  }
}

const CITY_CSV = [
  'id,city,region,opened,active,revenue,note,updated_at',
  '1,Cairo,"Greater Cairo",2020-01-15,true,1200.50,,2024-01-01T08:00:00',
  '2,Giza,"Greater Cairo",2021-03-01,false,99.5,"said ""hi""",2024-01-02 09:30:00',
  '3,الإسكندرية,North Coast,2019-07-30,TRUE,10,"two',
  'lines",',
  '',
].join('\n');

describe('seeds', () => {
  it('load in bulk: staged file on HDFS, staging table, typed table swapped in', async () => {
    const projectDir = project({ 'seeds/cities.csv': CITY_CSV });
    const node = seed(
      'cities',
      { persist_docs: { relation: true, columns: true } },
      { schema: 'reference', description: 'Cities', columns: { city: 'City name' } },
    );
    const store = new FakeStore();
    const adapter = new FakeAdapter({ relations: [] });
    const result = await transcriptOf(adapter, () =>
      createSeedExecutor(() => store)(context(adapter, node, { projectDir })),
    );
    if (result.error) throw result.error;
    expect(result.outcome).toMatchObject({ status: 'success', message: 'INSERT 3', rowsAffected: 3 });
    await expect(`${store.calls.join('\n')}\n\n${result.text}`).toMatchFileSnapshot(golden('seed_bulk_load'));
    const staged = store.files.get('/tmp/qdbt/seeds/reference/cities/data.txt')!.toString('utf8');
    // \001 between fields, \N for empty values, base64 for the column holding a newline, UTF-8 kept.
    await expect(staged.split('\u0001').join('|')).toMatchFileSnapshot(golden('seed_bulk_load.staged'));
    expect(staged).toContain('الإسكندرية');
    expect(store.calls.at(-1)).toBe('delete /tmp/qdbt/seeds/reference/cities recursive');
  });

  it('column_types override inference; existing table is swapped; staging dir from the target', async () => {
    const projectDir = project({ 'seeds/codes.csv': 'code,amount,flag\n007,1,yes\n010,2,no\n' });
    const node = seed('codes', { column_types: { amount: 'int', FLAG: 'boolean' }, file_format: 'orc' });
    const store = new FakeStore();
    const adapter = new FakeAdapter({
      capabilities: SPARK,
      relations: [table('analytics', 'codes', [col('code'), col('amount', 'bigint')])],
    });
    const result = await transcriptOf(adapter, () =>
      createSeedExecutor(() => store)(
        context(adapter, node, { projectDir, targetExtra: { seed_staging_dir: '/user/qdbt/staging/' } }),
      ),
    );
    if (result.error) throw result.error;
    await expect(`${store.calls.join('\n')}\n\n${result.text}`).toMatchFileSnapshot(
      golden('seed_column_types'),
    );
  });

  it('a malformed CSV names the file and line, and nothing is sent', async () => {
    const projectDir = project({ 'seeds/bad.csv': 'a,b\n1,2\n3,4,5\n' });
    const store = new FakeStore();
    const adapter = new FakeAdapter();
    await expect(
      createSeedExecutor(() => store)(context(adapter, seed('bad'), { projectDir })),
    ).rejects.toThrow(/expected 2 fields as in the header, found 3/);
    const error = await failure(
      createSeedExecutor(() => store)(context(adapter, seed('bad'), { projectDir })),
    );
    expect(error.location).toEqual({ file: 'seeds/bad.csv', line: 3 });
    expect(adapter.log).toEqual([]);
    expect(store.calls).toEqual([]);
  });

  it('invalid UTF-8 names the line', async () => {
    const projectDir = project({
      'seeds/latin.csv': Buffer.concat([
        Buffer.from('a,b\n1,ok\n2,'),
        Buffer.from([0xe9]),
        Buffer.from('t\n'),
      ]),
    });
    const error = await failure(
      createSeedExecutor(() => new FakeStore())(context(new FakeAdapter(), seed('latin'), { projectDir })),
    );
    expect(error.message).toMatch(/not valid UTF-8/);
    expect(error.location).toEqual({ file: 'seeds/latin.csv', line: 3 });
  });

  it('column_types naming an unknown column is an error', async () => {
    const projectDir = project({ 'seeds/x.csv': 'a\n1\n' });
    await expect(
      createSeedExecutor(() => new FakeStore())(
        context(new FakeAdapter(), seed('x', { column_types: { b: 'int' } }), { projectDir }),
      ),
    ).rejects.toThrow(/column_types names b/);
  });

  it('Spark refuses to replace a transactional seed table', async () => {
    const projectDir = project({ 'seeds/x.csv': 'a\n1\n' });
    const adapter = new FakeAdapter({
      capabilities: SPARK,
      relations: [table('analytics', 'x', [col('a', 'bigint')], { transactional: true })],
    });
    await expect(
      createSeedExecutor(() => new FakeStore())(context(adapter, seed('x'), { projectDir })),
    ).rejects.toThrow(/refusing to write/);
  });
});

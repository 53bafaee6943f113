import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCacheHit, writeCache } from '../../../src/project/compileCache.js';
import type { ProjectHead } from '../../../src/project/readProject.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repoRoot, 'bin', 'qdbt.js');
const cleanups: Array<() => void> = [];

function compile(dir: string) {
  const result = spawnSync(process.execPath, [bin, 'compile', '--project-dir', dir], {
    encoding: 'utf8',
    timeout: 25_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm test does)');
});
afterAll(() => cleanups.forEach((c) => c()));

describe('the compile cache and the compiled files', () => {
  /** A cache record and a manifest as a compile of `compiled` nodes leaves them. */
  function cachedTarget(compiled: number): ProjectHead {
    const fixture = writeFixture({});
    cleanups.push(fixture.cleanup);
    const targetDir = join(fixture.dir, 'target');
    mkdirSync(targetDir, { recursive: true });
    writeFileSync(join(targetDir, 'manifest.json'), '{}');
    writeCache(targetDir, {
      command: 'compile',
      key: 'k',
      stat_key: 's',
      env_used: {},
      summary: { compiled },
    });
    return {
      projectDir: fixture.dir,
      config: { name: 'fixture' },
      env: {},
      targetDir,
    } as unknown as ProjectHead;
  }

  it('is a hit only while target/compiled/<project> exists', () => {
    const head = cachedTarget(2);
    expect(readCacheHit(head, 'k', 'compile')).toBeNull();
    expect(readCacheHit(head, 's', 'compile', true)).toBeNull();
    mkdirSync(join(head.targetDir, 'compiled', 'fixture'), { recursive: true });
    expect(readCacheHit(head, 'k', 'compile')?.summary).toEqual({ compiled: 2 });
    expect(readCacheHit(head, 's', 'compile', true)?.summary).toEqual({ compiled: 2 });
    // Another project's folder does not count.
    rmSync(join(head.targetDir, 'compiled', 'fixture'), { recursive: true });
    mkdirSync(join(head.targetDir, 'compiled', 'other'));
    expect(readCacheHit(head, 'k', 'compile')).toBeNull();
  });

  it('needs no compiled folder when nothing was compiled', () => {
    const head = cachedTarget(0);
    expect(readCacheHit(head, 'k', 'compile')?.summary).toEqual({ compiled: 0 });
  });

  it('qdbt compile writes the files again after target/compiled is deleted', () => {
    const fixture = writeFixture({
      'models/a.sql': 'select 1 as id',
      'models/b.sql': `select * from {{ ref('a') }}`,
    });
    cleanups.push(fixture.cleanup);
    const compiledB = join(fixture.dir, 'target/compiled/fixture/models/b.sql');
    expect(compile(fixture.dir).stderr).toContain('Compiled 2 nodes (2 files changed)');
    expect(compile(fixture.dir).stderr).toContain('Nothing changed: 2 compiled nodes');
    rmSync(join(fixture.dir, 'target/compiled'), { recursive: true });
    const again = compile(fixture.dir);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('Nothing changed');
    expect(again.stderr).toContain('Compiled 2 nodes (2 files changed)');
    expect(readFileSync(compiledB, 'utf8')).toBe('select * from `analytics`.`a`');
    expect(existsSync(join(fixture.dir, 'target/compiled/fixture/models/a.sql'))).toBe(true);
    // And the cache answers again once they are back.
    expect(compile(fixture.dir).stderr).toContain('Nothing changed: 2 compiled nodes');
  });
});

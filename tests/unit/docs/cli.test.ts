/**
 * `qdbt docs generate` and `qdbt docs serve` as a user runs them, without a warehouse
 * (`--empty-catalog`): the lake down must not fail the build; serve answers and stops on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDocsData } from '../../../src/docs/html.js';
import { fileFor, startDocsServer } from '../../../src/docs/serve.js';
import { writeFixture } from '../../helpers/fixtureProject.js';
import { FILES } from './fixture.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repoRoot, 'bin', 'qdbt.js');

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let fixture: ReturnType<typeof writeFixture>;
beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm test does)');
  const hdfsPort = await closedPort();
  fixture = writeFixture({
    ...FILES,
    'profiles.yml': `fixture:
  target: dev
  outputs:
    dev:
      type: hive
      host: 127.0.0.1
      port: 10000
      schema: analytics
      hdfs_url: http://127.0.0.1:${hdfsPort}
`,
  });
});
afterAll(() => fixture?.cleanup());

function qdbt(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args, '--project-dir', fixture.dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('qdbt docs generate', () => {
  it('succeeds with the lake down, and says in one warning line that the ledger was not read and why', () => {
    const result = qdbt(['docs', 'generate', '--empty-catalog']);
    expect(result.code).toBe(0);
    const warning = result.stderr.split('\n').filter((l) => l.includes('landing ledger was not read'));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/WebHDFS at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const target = join(fixture.dir, 'target');
    for (const file of ['manifest.json', 'catalog.json', 'index.html'])
      expect(existsSync(join(target, file))).toBe(true);
    const catalog = JSON.parse(readFileSync(join(target, 'catalog.json'), 'utf8')) as {
      nodes: object;
      sources: object;
    };
    expect(catalog).toMatchObject({ nodes: {}, sources: {} });
    const data = extractDocsData(readFileSync(join(target, 'index.html'), 'utf8'));
    expect(data.ledger.read).toBe(false);
    expect(data.notes.some((n) => n.includes('ECONNREFUSED'))).toBe(true);
    // Compiled as `qdbt compile` does: the compiled SQL is in the page and under target/compiled.
    expect(data.nodes.find((n) => n.id === 'model.fixture.fct_orders')?.compiled_sql).toContain(
      '`analytics`.`stg_orders`',
    );
    expect(existsSync(join(target, 'compiled/fixture/models/marts/fct_orders.sql'))).toBe(true);
  });

  it('--no-ledger skips the lake without a warning; --no-compile leaves SQL uncompiled', () => {
    const result = qdbt([
      'docs',
      'generate',
      '--empty-catalog',
      '--no-ledger',
      '--no-compile',
      '--target-path',
      'docs-target',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('ECONNREFUSED');
    const data = extractDocsData(readFileSync(join(fixture.dir, 'docs-target/index.html'), 'utf8'));
    expect(data.notes).toEqual([
      'The catalog was not read (--empty-catalog): column types are the declared ones.',
      'The landing ledger was not read (--no-ledger): landed files are not shown.',
    ]);
    expect(data.nodes.find((n) => n.id === 'model.fixture.fct_orders')?.compiled_sql).toBeNull();
  });
});

describe('qdbt docs serve', () => {
  it('serves files of the target folder and nothing outside it', async () => {
    const root = join(fixture.dir, 'served');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'index.html'), '<p>docs</p>');
    writeFileSync(join(root, 'catalog.json'), '{}');
    writeFileSync(join(fixture.dir, 'secret.txt'), 'no');
    expect(fileFor(root, '/../secret.txt')).toBeNull();
    expect(fileFor(root, '/%2e%2e/secret.txt')).toBeNull();
    expect(fileFor(root, '/')).toBe(join(root, 'index.html'));
    const server = await startDocsServer({ root, host: '127.0.0.1', port: 0 });
    try {
      const index = await fetch(server.url);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await index.text()).toBe('<p>docs</p>');
      expect((await fetch(`${server.url}catalog.json`)).headers.get('content-type')).toContain(
        'application/json',
      );
      expect((await fetch(`${server.url}..%2fsecret.txt`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('prints its URL, answers, and stops cleanly (exit 0) on SIGTERM', async () => {
    qdbt(['docs', 'generate', '--empty-catalog', '--no-ledger']);
    const child = spawn(
      process.execPath,
      [bin, 'docs', 'serve', '--port', '0', '--no-browser', '--project-dir', fixture.dir],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /Serving .* at (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(extractDocsData(await page.text()).project).toBe('fixture');
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('Stopped serving (SIGTERM)');
  });
});

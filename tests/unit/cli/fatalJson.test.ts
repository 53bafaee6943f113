import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../../helpers/fixtureProject.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repoRoot, 'bin', 'qdbt.js');

function qdbt(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 25_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every line of the output as JSON (throws on a line that is not). */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const fixture = writeFixture({
  'models/m.sql': `select * from {{ ref('nope') }}`,
  'models/ok.sql': 'select 1 as id',
});

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm test does)');
});
afterAll(() => fixture.cleanup());

describe('fatal errors with --log-format json', () => {
  it.each([
    [['compile', '--project-dir', fixture.dir, '--log-format', 'json']],
    [['--log-format=json', 'compile', '--project-dir', fixture.dir]],
  ])('are JSON lines with the message, file, line and hint (%j)', (args) => {
    const result = qdbt(args);
    expect(result.code).toBe(2);
    const lines = jsonLines(result.stderr);
    expect(lines).toEqual([
      {
        ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: 'error',
        name: 'fatal_error',
        msg: "model 'm' depends on a node named 'nope' which was not found",
        data: {
          kind: 'project',
          file: 'models/m.sql',
          line: 1,
          hint: expect.stringContaining('ref()'),
        },
      },
    ]);
  });

  it('stay text without it, as before', () => {
    const result = qdbt(['compile', '--project-dir', fixture.dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "Error: models/m.sql:1: model 'm' depends on a node named 'nope' which was not found\n" +
        '  Check the model name in ref(); models are named after their file.\n',
    );
  });

  it('cover usage errors found before and while commander parses the options', () => {
    for (const args of [
      ['compile', '--bogus', '--log-format', 'json'],
      ['--log-format', 'json', 'no-such-command'],
      ['--threads', '0', '--log-format=json', 'compile'],
      ['--log-format', 'json'],
    ]) {
      const result = qdbt(args);
      expect(result.code, args.join(' ')).toBe(2);
      const lines = jsonLines(result.stderr);
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0], args.join(' ')).toMatchObject({
        level: 'error',
        name: 'fatal_error',
        data: { kind: 'usage' },
      });
    }
    expect(jsonLines(qdbt(['compile', '--bogus', '--log-format', 'json']).stderr)[0]!.msg).toBe(
      "unknown option '--bogus'",
    );
  });

  it('leave commander usage errors as text without it', () => {
    const result = qdbt(['compile', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown option '--bogus'\n\nUsage: qdbt compile/);
  });
});

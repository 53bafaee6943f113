// --target-path (and project.yml's target-path) may be absolute, as in dbt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProjectHead } from '../../../src/project/readProject.js';
import { compiledPathOf } from '../../../src/artifacts/writeArtifacts.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('target path', () => {
  it('an absolute --target-path is used as it is, not put below the project', () => {
    const project = writeFixture({});
    const elsewhere = mkdtempSync(join(tmpdir(), 'qdbt-target-'));
    cleanups.push(project.cleanup, () => rmSync(elsewhere, { recursive: true, force: true }));
    const head = readProjectHead({ projectDir: project.dir, targetPath: elsewhere, env: {} });
    expect(head.targetDir).toBe(elsewhere);
    // Compiled files are written at join(projectDir, compiled_path): that must land in the same place.
    const compiled = compiledPathOf('fixture', head.config.targetPath, {
      resource_type: 'model',
      original_file_path: 'models/a.sql',
    } as never);
    expect(join(project.dir, compiled)).toBe(join(elsewhere, 'compiled/fixture/models/a.sql'));
  });

  it('a relative one stays below the project', () => {
    const project = writeFixture({});
    cleanups.push(project.cleanup);
    const head = readProjectHead({ projectDir: project.dir, targetPath: 'build/target', env: {} });
    expect(head.targetDir).toBe(join(project.dir, 'build/target'));
    expect(head.config.targetPath).toBe('build/target');
  });
});

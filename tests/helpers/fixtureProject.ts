import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PROFILES = `fixture:
  target: dev
  outputs:
    dev:
      type: hive
      host: 127.0.0.1
      port: 10000
      schema: analytics
`;

export const PROJECT = `name: fixture
version: '1.0'
profile: fixture
`;

/** Writes a project into a fresh temp folder; project.yml and profiles.yml default to minimal ones. */
export function writeFixture(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'qdbt-fixture-'));
  const all = { 'project.yml': PROJECT, 'profiles.yml': PROFILES, ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

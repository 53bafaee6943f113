import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../artifacts/writeArtifacts.js';
import { QDBT_VERSION } from '../version.js';
import { statFingerprint } from '../parser/projectFiles.js';
import type { ProjectHead, ReadProject } from './readProject.js';

/**
 * A whole-project cache for `compile` and `parse`: when no file, config, var, target, selection or
 * environment variable a template read has changed since the last run, its manifest and compiled
 * files are still right and nothing needs parsing again.
 */
export interface CacheRecord {
  qdbt_version: string;
  command: string;
  key: string;
  /** The same inputs with files by path, size and mtime: answers without reading any file. */
  stat_key: string;
  env_used: Record<string, string | null>;
  summary: Record<string, unknown>;
}

const CACHE_FILE = 'qdbt_cache.json';
/** Templates that read the clock or the invocation produce new SQL every run: never cached. */
const UNCACHEABLE = /\b(run_started_at|invocation_id|modules\.datetime)\b/;

export function cacheKey(read: ReadProject, command: string, selection: unknown): string | null {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([QDBT_VERSION, command, selection, read.config, read.target, read.vars]));
  const { files } = read;
  for (const group of [files.models, files.macros, files.seeds, files.singularTests, files.propertyFiles]) {
    for (const file of group) {
      if (group !== files.seeds && UNCACHEABLE.test(file.text)) return null;
      hash.update(file.path).update('\0').update(file.checksum).update('\0');
    }
  }
  if (files.selectorsFile) hash.update(files.selectorsFile.checksum);
  return hash.digest('hex');
}

/**
 * The inputs of `cacheKey` with the files' stat fingerprint in place of their contents: taken from
 * the files on disk, or from the pass that read them (`fingerprint`).
 */
export function statCacheKey(
  head: ProjectHead,
  command: string,
  selection: unknown,
  fingerprint = statFingerprint(head.projectDir, head.config),
): string {
  return createHash('sha256')
    .update(JSON.stringify([QDBT_VERSION, command, selection, head.config, head.target, head.vars]))
    .update(fingerprint)
    .digest('hex');
}

/** Whether an earlier run left a cache record (when none did, asking by stat is wasted work). */
export function hasCache(targetDir: string): boolean {
  return existsSync(join(targetDir, CACHE_FILE));
}

/** A cache record whose `key` (or, with `byStat`, `stat_key`) matches, with unchanged env vars. */
export function readCacheHit(
  read: ProjectHead,
  key: string | null,
  command: string,
  byStat = false,
): CacheRecord | null {
  if (key === null) return null;
  const path = join(read.targetDir, CACHE_FILE);
  if (!existsSync(path) || !existsSync(join(read.targetDir, 'manifest.json'))) return null;
  let record: CacheRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as CacheRecord;
  } catch {
    return null;
  }
  if (record.qdbt_version !== QDBT_VERSION || record.command !== command) return null;
  if ((byStat ? record.stat_key : record.key) !== key) return null;
  for (const [name, value] of Object.entries(record.env_used)) {
    if ((read.env[name] ?? null) !== value) return null;
  }
  // The compiled files must still be there (e.g. not after `rm -rf target/compiled`). One stat of
  // their folder, not a walk of the tree: a file deleted inside it goes unnoticed.
  const compiled = record.summary.compiled;
  if (typeof compiled === 'number' && compiled > 0 && !existsSync(compiledDir(read))) return null;
  return record;
}

/** Where compile writes the project's compiled files (as `compiledPathOf` names them). */
function compiledDir(read: ProjectHead): string {
  return join(read.targetDir, 'compiled', read.config.name);
}

export function writeCache(targetDir: string, record: Omit<CacheRecord, 'qdbt_version'>): void {
  writeFileAtomic(join(targetDir, CACHE_FILE), JSON.stringify({ qdbt_version: QDBT_VERSION, ...record }));
}

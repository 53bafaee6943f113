import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ProjectConfig } from '../config/types.js';

/** A project file as read from disk. Paths use `/` whatever the platform. */
export interface SourceFile {
  /** Relative to the project root, e.g. `models/staging/stg_sales.sql`. */
  path: string;
  /** Relative to its resource folder, e.g. `staging/stg_sales.sql`. */
  resourcePath: string;
  text: string;
  checksum: string;
}

/** Everything the parser needs from disk, so that parsing itself does no I/O. */
export interface ProjectFiles {
  projectDir: string;
  models: SourceFile[];
  macros: SourceFile[];
  /** CSV files: the text is read too (the checksum and the header are part of the manifest). */
  seeds: SourceFile[];
  singularTests: SourceFile[];
  /** `.yml`/`.yaml` under model, seed, macro and test paths. */
  propertyFiles: SourceFile[];
  selectorsFile: SourceFile | null;
  /** `statFingerprint` of the files as they were read. */
  statFingerprint: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A fingerprint of the project's files from their paths, sizes and modification times, without
 * reading them: lets a cache answer before any file is read.
 */
export function statFingerprint(projectDir: string, config: ProjectConfig): string {
  const hash = createHash('sha256');
  for (const folder of fingerprintFolders(config)) {
    hash.update(`[${folder}]`);
    for (const file of walk(projectDir, folder)) {
      const stat = statSync(join(projectDir, file.path));
      hash.update(fingerprintLine(file.path, stat.size, stat.mtimeMs));
    }
  }
  const selectors = join(projectDir, 'selectors.yml');
  if (existsSync(selectors)) {
    const stat = statSync(selectors);
    hash.update(`selectors.yml\0${stat.size}\0${stat.mtimeMs}`);
  }
  return hash.digest('hex');
}

function fingerprintFolders(config: ProjectConfig): string[] {
  return [...config.modelPaths, ...config.macroPaths, ...config.seedPaths, ...config.testPaths];
}

function fingerprintLine(path: string, size: number, mtimeMs: number): string {
  return `${path}\0${size}\0${mtimeMs}\0`;
}

/**
 * Reads every project file once. The stat fingerprint comes out of the same pass (from the
 * descriptor each file was read through), equal to `statFingerprint` of the files as read.
 */
export function readProjectFiles(projectDir: string, config: ProjectConfig): ProjectFiles {
  const files: ProjectFiles = {
    projectDir,
    models: [],
    macros: [],
    seeds: [],
    singularTests: [],
    propertyFiles: [],
    selectorsFile: null,
    statFingerprint: '',
  };
  const fingerprint = createHash('sha256');
  const sqlGroups = new Map<string, { into: SourceFile[]; extension: string }>();
  const groupOf = (folders: string[], into: SourceFile[], extension: string) => {
    for (const folder of folders) if (!sqlGroups.has(folder)) sqlGroups.set(folder, { into, extension });
  };
  groupOf(config.modelPaths, files.models, '.sql');
  groupOf(config.macroPaths, files.macros, '.sql');
  groupOf(config.seedPaths, files.seeds, '.csv');
  groupOf(config.testPaths, files.singularTests, '.sql');
  for (const folder of fingerprintFolders(config)) {
    fingerprint.update(`[${folder}]`);
    const group = sqlGroups.get(folder);
    for (const file of walk(projectDir, folder)) {
      const into =
        group && file.path.endsWith(group.extension)
          ? group.into
          : file.path.endsWith('.yml') || file.path.endsWith('.yaml')
            ? files.propertyFiles
            : null;
      const absolute = join(projectDir, file.path);
      if (!into) {
        const stat = statSync(absolute);
        fingerprint.update(fingerprintLine(file.path, stat.size, stat.mtimeMs));
        continue;
      }
      // A folder listed under two path kinds is read once, as the first kind lists it.
      if (into !== files.propertyFiles && group?.into !== into) continue;
      const { text, size, mtimeMs } = readWithStat(absolute);
      fingerprint.update(fingerprintLine(file.path, size, mtimeMs));
      into.push({ path: file.path, resourcePath: file.resourcePath, text, checksum: sha256(text) });
    }
  }
  // Generic tests may live in tests/generic/ as `{% test %}` blocks: they are macros, not singular tests.
  files.singularTests = files.singularTests.filter((file) => {
    if (!file.resourcePath.startsWith('generic/')) return true;
    files.macros.push(file);
    return false;
  });
  const selectorsPath = join(projectDir, 'selectors.yml');
  if (existsSync(selectorsPath)) {
    const { text, size, mtimeMs } = readWithStat(selectorsPath);
    fingerprint.update(`selectors.yml\0${size}\0${mtimeMs}`);
    files.selectorsFile = {
      path: 'selectors.yml',
      resourcePath: 'selectors.yml',
      text,
      checksum: sha256(text),
    };
  }
  files.statFingerprint = fingerprint.digest('hex');
  return files;
}

function readWithStat(path: string): { text: string; size: number; mtimeMs: number } {
  const fd = openSync(path, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    return { text: readFileSync(fd, 'utf8'), size, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** Files below `projectDir/folder` (paths relative to `projectDir`), sorted so every run sees the same order. */
function walk(projectDir: string, folder: string): Array<{ path: string; resourcePath: string }> {
  const root = join(projectDir, folder);
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const entries = readdirSync(root, { recursive: true, withFileTypes: true });
  const prefix = toPosix(relative(projectDir, root));
  const out: Array<{ path: string; resourcePath: string }> = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const parent =
      (entry as unknown as { parentPath?: string; path?: string }).parentPath ??
      (entry as unknown as { path: string }).path;
    // Entries sit below `root`: their path is the root's plus what follows it, no path.relative needed.
    const below = parent.length > root.length ? toPosix(parent.slice(root.length + 1)) + '/' : '';
    const resourcePath = `${below}${entry.name}`;
    out.push({ path: prefix ? `${prefix}/${resourcePath}` : resourcePath, resourcePath });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

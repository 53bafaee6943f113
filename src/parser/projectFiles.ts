import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  const folders = [...config.modelPaths, ...config.macroPaths, ...config.seedPaths, ...config.testPaths];
  for (const folder of folders) {
    hash.update(`[${folder}]`);
    for (const file of walk(projectDir, folder)) {
      const stat = statSync(join(projectDir, file.path));
      hash.update(`${file.path}\0${stat.size}\0${stat.mtimeMs}\0`);
    }
  }
  const selectors = join(projectDir, 'selectors.yml');
  if (existsSync(selectors)) {
    const stat = statSync(selectors);
    hash.update(`selectors.yml\0${stat.size}\0${stat.mtimeMs}`);
  }
  return hash.digest('hex');
}

export function readProjectFiles(projectDir: string, config: ProjectConfig): ProjectFiles {
  const files: ProjectFiles = {
    projectDir,
    models: [],
    macros: [],
    seeds: [],
    singularTests: [],
    propertyFiles: [],
    selectorsFile: null,
  };
  const collect = (folders: string[], sqlInto: SourceFile[] | null, extension: string, yaml: boolean) => {
    for (const folder of folders) {
      for (const file of walk(projectDir, folder)) {
        if (file.path.endsWith(extension) && sqlInto) sqlInto.push(readSource(projectDir, folder, file.path));
        else if (yaml && (file.path.endsWith('.yml') || file.path.endsWith('.yaml')))
          files.propertyFiles.push(readSource(projectDir, folder, file.path));
      }
    }
  };
  collect(config.modelPaths, files.models, '.sql', true);
  collect(config.macroPaths, files.macros, '.sql', true);
  collect(config.seedPaths, files.seeds, '.csv', true);
  collect(config.testPaths, files.singularTests, '.sql', true);
  // Generic tests may live in tests/generic/ as `{% test %}` blocks: they are macros, not singular tests.
  files.singularTests = files.singularTests.filter((file) => {
    if (!file.resourcePath.startsWith('generic/')) return true;
    files.macros.push(file);
    return false;
  });
  const selectorsPath = join(projectDir, 'selectors.yml');
  if (existsSync(selectorsPath)) {
    const text = readFileSync(selectorsPath, 'utf8');
    files.selectorsFile = {
      path: 'selectors.yml',
      resourcePath: 'selectors.yml',
      text,
      checksum: sha256(text),
    };
  }
  return files;
}

function readSource(projectDir: string, folder: string, path: string): SourceFile {
  const text = readFileSync(join(projectDir, path), 'utf8');
  const resourcePath = toPosix(relative(join(projectDir, folder), join(projectDir, path)));
  return { path, resourcePath, text, checksum: sha256(text) };
}

/** Files below `projectDir/folder`, sorted so that every run sees the same order. */
function walk(projectDir: string, folder: string): Array<{ path: string }> {
  const root = join(projectDir, folder);
  if (!existsSync(root) || !statSync(root).isDirectory()) return [];
  const entries = readdirSync(root, { recursive: true, withFileTypes: true });
  const out: Array<{ path: string }> = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const parent =
      (entry as unknown as { parentPath?: string; path?: string }).parentPath ??
      (entry as unknown as { path: string }).path;
    out.push({ path: toPosix(relative(projectDir, join(parent, entry.name))) });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

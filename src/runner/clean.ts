import { existsSync, rmSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { loadProjectConfig } from '../config/index.js';
import { QdbtError } from '../errors.js';
import type { Reporter } from '../reporters/reporter.js';

/** Delete project.yml's `clean-targets` (default: the target folder). Only folders inside the project. */
export function cleanProject(projectDir: string, reporter: Reporter): string[] {
  const root = resolve(projectDir);
  const config = loadProjectConfig(root);
  const removed: string[] = [];
  for (const target of config.cleanTargets) {
    const path = resolve(root, target);
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new QdbtError('project', `clean-targets: '${target}' is not a folder inside the project`, {
        location: { file: config.file },
        hint: 'qdbt clean only deletes folders inside the project folder.',
      });
    }
    if (!existsSync(path)) {
      reporter.emit({ name: 'clean_missing', level: 'debug', message: `${target}/ does not exist` });
      continue;
    }
    rmSync(path, { recursive: true, force: true });
    removed.push(rel);
    reporter.emit({ name: 'cleaned', level: 'info', message: `Cleaned ${rel}/` });
  }
  reporter.emit({
    name: 'clean_finished',
    level: 'info',
    message: removed.length > 0 ? 'Finished cleaning' : 'Nothing to clean',
  });
  return removed;
}

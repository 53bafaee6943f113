import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalSettings, ServerName } from './settings.js';

/** The repo's (or package's) `stack/` folder: poms and config templates. Same from src/ and dist/. */
export const STACK_DIR = fileURLToPath(new URL('../../stack/', import.meta.url));

/** Which pom (stack/<dir>/pom.xml) and which config folder each server uses. */
export const POM_OF: Record<ServerName, 'hdfs' | 'hive' | 'spark' | 'kafka'> = {
  namenode: 'hdfs',
  datanode: 'hdfs',
  hive: 'hive',
  spark: 'spark',
  kafka: 'kafka',
};

/** Where everything of the stack lives, under `<project>/.qdbt/local/`. */
export interface Layout {
  home: string;
  /** Generated configs, per pom: conf/hdfs, conf/hive... */
  conf(dir: string): string;
  /** Data (survives down + up; `reset` wipes it), per pom. */
  data(dir: string): string;
  logs: string;
  run: string;
  classpath: string;
  dist: string;
  pidFile(server: ServerName): string;
  outFile(server: ServerName): string;
}

export function layoutOf(settings: Pick<LocalSettings, 'home'>): Layout {
  const home = settings.home;
  return {
    home,
    conf: (dir) => path.join(home, 'conf', dir),
    data: (dir) => path.join(home, 'data', dir),
    logs: path.join(home, 'logs'),
    run: path.join(home, 'run'),
    classpath: path.join(home, 'classpath'),
    dist: path.join(home, 'dist'),
    pidFile: (server) => path.join(home, 'run', `${server}.pid`),
    outFile: (server) => path.join(home, 'logs', `${server}.out`),
  };
}

/** Replaces `{{name}}` and `{{ports.x}}` placeholders; an unknown name is an error, not a blank. */
export function renderTemplate(text: string, vars: Record<string, unknown>, source: string): string {
  return text.replace(/\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g, (_, name: string) => {
    let value: unknown = vars;
    for (const part of name.split('.'))
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    if (value === undefined || value === null)
      throw new Error(`${source}: template variable '${name}' has no value`);
    return String(value);
  });
}

/** Renders every file of stack/<dir>/conf into .qdbt/local/conf/<dir>. Returns the folder. */
export function writeConfigs(
  settings: LocalSettings,
  dir: 'hdfs' | 'hive' | 'spark' | 'kafka',
  files: string[],
): string {
  const layout = layoutOf(settings);
  const out = layout.conf(dir);
  mkdirSync(out, { recursive: true });
  const vars = {
    ports: settings.ports,
    heap: settings.heap,
    dataDir: layout.data(dir),
    logDir: layout.logs,
    confDir: out,
    user: os.userInfo().username,
  };
  for (const file of files) {
    const source = path.join(STACK_DIR, dir, 'conf', file);
    writeFileSync(path.join(out, file), renderTemplate(readFileSync(source, 'utf8'), vars, source));
  }
  return out;
}

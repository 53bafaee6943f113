import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QdbtError } from '../errors.js';
import { STACK_DIR, type Layout } from './layout.js';

/** Fails clearly when a tool the stack needs is missing. */
export function requireTool(tool: 'java' | 'mvn'): void {
  const result = spawnSync(tool, tool === 'java' ? ['-version'] : ['-v'], { stdio: 'pipe', timeout: 30_000 });
  if (result.error || result.status !== 0) {
    const hint =
      tool === 'java'
        ? 'The local stack runs on Java 17: install it (Debian: apt-get install openjdk-17-jdk-headless) and put `java` on PATH.'
        : 'The local stack resolves its jars from Maven Central with Maven 3.8+: install it (Debian: apt-get install maven) and put `mvn` on PATH.';
    throw new QdbtError(
      'runtime',
      `\`${tool}\` was not found or does not run${result.error ? ` (${result.error.message})` : ''}`,
      { hint },
    );
  }
}

interface CachedClasspath {
  pomHash: string;
  entries: string[];
}

/**
 * The jars of stack/<dir>/pom.xml, resolved by `mvn dependency:build-classpath` into ~/.m2 and
 * cached in .qdbt/local/classpath/<dir>.json (keyed by the pom's hash): a second `up` runs no Maven.
 */
export async function resolveClasspath(
  layout: Layout,
  dir: string,
  onResolve?: () => void,
): Promise<string[]> {
  const pom = path.join(STACK_DIR, dir, 'pom.xml');
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const cacheFile = path.join(layout.classpath, `${dir}.json`);
  if (existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedClasspath;
      if (
        cached.pomHash === pomHash &&
        cached.entries.length > 0 &&
        cached.entries.every((jar) => existsSync(jar))
      )
        return cached.entries;
    } catch {
      /* resolve again */
    }
  }
  requireTool('mvn');
  onResolve?.();
  mkdirSync(layout.classpath, { recursive: true });
  const outFile = path.join(layout.classpath, `${dir}.cp`);
  await runMaven(
    ['-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${outFile}`],
    `resolve the ${dir} jars`,
    layout,
  );
  const entries = readFileSync(outFile, 'utf8').trim().split(path.delimiter).filter(Boolean);
  writeFileSync(cacheFile, JSON.stringify({ pomHash, entries } satisfies CachedClasspath, null, 1));
  return entries;
}

/**
 * Derby scripts of Hive's metastore schema, from `hive-standalone-metastore-server:4.0.1:tar.gz:bin`
 * on Maven Central (the tarball stays in ~/.m2; only scripts/metastore/upgrade/derby is kept).
 * Returns the folder to use as METASTORE_HOME.
 */
export async function ensureMetastoreScripts(layout: Layout): Promise<string> {
  const home = path.join(layout.dist, 'metastore');
  const marker = path.join(home, 'scripts', 'metastore', 'upgrade', 'derby', 'hive-schema-4.0.0.derby.sql');
  if (existsSync(marker)) return home;
  requireTool('mvn');
  const tmp = path.join(layout.dist, 'unpack-tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await runMaven(
    [
      '-f',
      path.join(STACK_DIR, 'hive', 'pom.xml'),
      'dependency:unpack',
      '-Dartifact=org.apache.hive:hive-standalone-metastore-server:4.0.1:tar.gz:bin',
      `-DoutputDirectory=${tmp}`,
      // unpack skips an artifact it has a marker for (kept in stack/hive/target by default)
      `-Dmdep.markersDirectory=${path.join(tmp, '.markers')}`,
    ],
    'fetch the Hive metastore schema scripts',
    layout,
  );
  const derby = path.join(tmp, 'apache-hive-metastore-4.0.1-bin', 'scripts', 'metastore', 'upgrade', 'derby');
  if (!existsSync(derby))
    throw new QdbtError('runtime', `The Hive metastore tarball holds no ${path.relative(tmp, derby)}`);
  const target = path.dirname(marker);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(path.dirname(target), { recursive: true });
  renameSync(derby, target);
  rmSync(tmp, { recursive: true, force: true });
  return home;
}

function runMaven(args: string[], what: string, layout: Layout): Promise<void> {
  mkdirSync(layout.logs, { recursive: true });
  const logFile = path.join(layout.logs, 'maven.log');
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', ['-B', '-q', '-ntp', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) =>
      reject(new QdbtError('runtime', `Maven could not ${what}: ${error.message}`)),
    );
    child.on('close', (code) => {
      writeFileSync(logFile, `$ mvn ${args.join(' ')}\n${output}`);
      if (code === 0) return resolve();
      const tail = output.trim().split('\n').slice(-15).join('\n');
      reject(
        new QdbtError('runtime', `Maven could not ${what} (exit ${code}):\n${tail}`, {
          hint: `Is Maven Central reachable (a proxy in ~/.m2/settings.xml)? Full output: ${logFile}`,
        }),
      );
    });
  });
}

/** profiles.yml: find it, pick the profile and target, render env_var(), validate a `hive` target. */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closestNames, QdbtError } from '../errors.js';
import type { Env } from './envVar.js';
import { allowedHint, Reader } from './reader.js';
import type { HiveAuth, HiveTarget, HiveTransport } from './types.js';
import { setKey, type YMap, type YNode } from './yaml/ast.js';
import { parseYaml } from './yaml/parse.js';

export const HIVE_AUTH: readonly HiveAuth[] = ['NONE', 'NOSASL', 'LDAP', 'KERBEROS'];
export const HIVE_TRANSPORT: readonly HiveTransport[] = ['binary', 'http'];
export const TARGET_TYPES = ['hive'] as const;

/** Keys a `hive` target understands; anything else goes to `extra`. */
export const TARGET_KEYS = [
  'type',
  'host',
  'port',
  'auth',
  'transport',
  'http_path',
  'user',
  'username',
  'password',
  'schema',
  'threads',
  'session',
  'tls',
  'kerberos',
  'connect_timeout',
  'retries',
] as const;

export interface LoadTargetOptions {
  projectDir: string;
  profilesDir?: string;
  profileName: string;
  targetName?: string;
  env?: Env;
}

/**
 * Where profiles.yml is looked for: `--profiles-dir`, then `QDBT_PROFILES_DIR`, then the project
 * folder, then `~/.qdbt/`. An explicit folder without profiles.yml is an error, not a fallback.
 */
export function findProfilesFile(options: { projectDir: string; profilesDir?: string; env?: Env }): string {
  const env = options.env ?? process.env;
  const explicit: Array<[string, string]> = [];
  if (options.profilesDir) explicit.push([options.profilesDir, '--profiles-dir']);
  else if (env.QDBT_PROFILES_DIR) explicit.push([env.QDBT_PROFILES_DIR, 'QDBT_PROFILES_DIR']);
  for (const [dir, from] of explicit) {
    const file = profilesIn(path.resolve(dir));
    if (file) return file;
    throw new QdbtError('project', `No profiles.yml found in ${path.resolve(dir)} (given by ${from})`, {
      hint: `create ${path.join(path.resolve(dir), 'profiles.yml')}, or point ${from} at the folder that holds it`,
    });
  }
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const candidates = [path.resolve(options.projectDir), path.join(home, '.qdbt')];
  for (const dir of candidates) {
    const file = profilesIn(dir);
    if (file) return file;
  }
  throw new QdbtError('project', `No profiles.yml found in ${candidates.join(' or ')}`, {
    hint: 'create profiles.yml in the project folder (qdbt init writes one for the local stack), or pass --profiles-dir',
  });
}

function profilesIn(dir: string): string | null {
  for (const name of ['profiles.yml', 'profiles.yaml']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/** Finds profiles.yml and resolves one target of one profile. */
export function loadTarget(options: LoadTargetOptions): HiveTarget {
  const env = options.env ?? process.env;
  const file = findProfilesFile({ ...options, env });
  const projectDir = path.resolve(options.projectDir);
  const rel = path.relative(projectDir, file);
  const shown = rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  return parseTarget(readFileSync(file, 'utf8'), shown, { ...options, env, absPath: file });
}

/** Resolves a target from the text of profiles.yml (`relPath` names it in errors). */
export function parseTarget(
  text: string,
  relPath: string,
  options: { profileName: string; targetName?: string; env?: Env; absPath?: string },
): HiveTarget {
  const r = new Reader(relPath, options.env ?? {});
  const root = parseYaml(text, relPath);
  const top = root === null ? null : r.map(root, relPath);
  r.done();
  const profiles = top ? top.keys.map((k) => k.name).filter((k) => k !== 'config') : [];
  const pi = top ? top.keys.findIndex((k) => k.name === options.profileName) : -1;
  if (!top || pi < 0) {
    throw new QdbtError('project', `profile '${options.profileName}' is not in ${relPath}`, {
      location: { file: relPath },
      hint:
        profiles.length > 0
          ? allowedHint(options.profileName, profiles).replace('allowed:', 'profiles:')
          : `${relPath} holds no profiles`,
    });
  }
  const profile = r.map(top.values[pi]!, `profile '${options.profileName}'`);
  r.done();
  let outputs: YMap | null = null;
  let defaultTarget: { name: string; node: YNode } | null = null;
  for (let i = 0; i < profile!.keys.length; i++) {
    const key = profile!.keys[i]!;
    const v = profile!.values[i]!;
    if (key.name === 'outputs') outputs = r.map(v, `outputs of profile '${options.profileName}'`);
    else if (key.name === 'target') {
      const name = r.str(v, `target of profile '${options.profileName}'`);
      if (name !== undefined) defaultTarget = { name, node: v };
    } else r.unknownKey(key, `profile '${options.profileName}'`, ['target', 'outputs']);
  }
  if (!outputs && r.errors.length === 0)
    r.error(
      profile!,
      `profile '${options.profileName}' has no outputs`,
      'add outputs: with at least one target',
    );
  r.done();
  const targets = outputs!.keys.map((k) => k.name);
  let targetName = options.targetName ?? defaultTarget?.name;
  if (targetName === undefined) {
    if (targets.length === 1) targetName = targets[0]!;
    else
      throw new QdbtError('project', `profile '${options.profileName}' has no default target`, {
        location: { file: relPath, line: profile!.line, column: profile!.col },
        hint: `add target: <name> to the profile, or pass --target; targets: ${targets.join(', ')}`,
      });
  }
  const ti = targets.indexOf(targetName);
  if (ti < 0) {
    const from = options.targetName === undefined && defaultTarget ? defaultTarget.node : null;
    const close = closestNames(targetName, targets, 1);
    throw new QdbtError('project', `target '${targetName}' is not in profile '${options.profileName}'`, {
      location: from ? { file: relPath, line: from.line, column: from.col } : { file: relPath },
      hint: `${close.length > 0 ? `did you mean '${close[0]}'? ` : ''}targets: ${targets.join(', ')}`,
    });
  }
  const target = readHiveTarget(
    r,
    outputs!.values[ti]!,
    targetName,
    options.profileName,
    options.absPath ?? relPath,
  );
  r.done();
  return target!;
}

function readHiveTarget(
  r: Reader,
  node: YNode,
  name: string,
  profileName: string,
  file: string,
): HiveTarget | undefined {
  const what = `target '${name}'`;
  const map = r.map(node, what);
  if (!map) return undefined;
  const t: HiveTarget = {
    name,
    profileName,
    type: 'hive',
    host: '127.0.0.1',
    port: 10000,
    auth: 'NONE',
    transport: 'binary',
    schema: '',
    threads: 4,
    session: {},
    connectTimeoutSeconds: 30,
    retries: 3,
    extra: {},
    file,
  };
  let sawType = false;
  let sawSchema = false;
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i]!;
    const v = map.values[i]!;
    const field = `'${key.name}' of ${what}`;
    switch (key.name) {
      case 'type': {
        sawType = true;
        // Another adapter's target: say so, and skip the hive checks that would only add noise.
        if (r.oneOf(v, field, TARGET_TYPES) === undefined) return undefined;
        break;
      }
      case 'host': {
        const host = r.str(v, field);
        if (host !== undefined) t.host = host;
        break;
      }
      case 'port': {
        const port = r.int(v, field, 1, 65535);
        if (port !== undefined) t.port = port;
        break;
      }
      case 'auth': {
        const auth = r.oneOf(v, field, HIVE_AUTH, true);
        if (auth !== undefined) t.auth = auth;
        break;
      }
      case 'transport': {
        const transport = r.oneOf(v, field, HIVE_TRANSPORT, true);
        if (transport !== undefined) t.transport = transport;
        break;
      }
      case 'http_path': {
        const p = r.str(v, field);
        if (p !== undefined) t.httpPath = p;
        break;
      }
      case 'user':
      case 'username': {
        const user = r.str(v, field, true);
        if (user !== undefined) t.user = user;
        break;
      }
      case 'password': {
        const password = r.str(v, field, true);
        if (password !== undefined) t.password = password;
        break;
      }
      case 'schema': {
        sawSchema = true;
        const schema = r.str(v, field);
        if (schema !== undefined && schema.trim() === '') r.error(v, `${field} must not be empty`);
        else if (schema !== undefined) t.schema = schema;
        break;
      }
      case 'threads': {
        const threads = r.int(v, field, 1, 256);
        if (threads !== undefined) t.threads = threads;
        break;
      }
      case 'session': {
        const session = readSession(r, v, field);
        if (session) t.session = session;
        break;
      }
      case 'tls': {
        const tls = readTls(r, v, field);
        if (tls) t.tls = tls;
        break;
      }
      case 'kerberos': {
        const m = r.optMap(v, field);
        if (!m) break;
        const kerberos: { service?: string; principal?: string } = {};
        for (let k = 0; k < m.keys.length; k++) {
          const kk = m.keys[k]!;
          if (kk.name === 'service' || kk.name === 'principal') {
            const s = r.str(m.values[k]!, `'${kk.name}' of ${field}`);
            if (s !== undefined) kerberos[kk.name] = s;
          } else r.unknownKey(kk, field, ['service', 'principal']);
        }
        t.kerberos = kerberos;
        break;
      }
      case 'connect_timeout': {
        const s = r.num(v, field, 1);
        if (s !== undefined) t.connectTimeoutSeconds = s;
        break;
      }
      case 'retries': {
        const n = r.int(v, field, 0, 100);
        if (n !== undefined) t.retries = n;
        break;
      }
      default: {
        const close = closestNames(key.name, TARGET_KEYS, 1);
        if (close.length > 0 && key.name.length > 2) {
          r.error(
            key,
            `unknown key '${key.name}' in ${what}`,
            `did you mean '${close[0]}'? allowed: ${TARGET_KEYS.join(', ')}, plus adapter extras such as engine, hdfs_url`,
          );
        } else {
          setKey(t.extra, key.name, r.js(v));
        }
      }
    }
  }
  if (!sawType) r.error(map, `${what} needs 'type: hive'`, `allowed types: ${TARGET_TYPES.join(', ')}`);
  if (!sawSchema)
    r.error(
      map,
      `${what} needs a 'schema' (the Hive database models are built in)`,
      'e.g. schema: analytics',
    );
  if (t.transport === 'http' && t.httpPath === undefined) t.httpPath = 'cliservice';
  if (t.auth === 'KERBEROS' && !t.kerberos) t.kerberos = { service: 'hive' };
  return t;
}

function readSession(r: Reader, node: YNode, what: string): Record<string, string> | undefined {
  const m = r.optMap(node, what);
  if (!m) return m === null && node.kind === 'scalar' ? {} : undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < m.keys.length; i++) {
    const v = m.values[i]!;
    const value = v.kind === 'scalar' ? r.scalar(v) : undefined;
    if (value === undefined || value === null) {
      r.error(
        v,
        `setting '${m.keys[i]!.name}' of ${what} must be a string, number or boolean`,
        'e.g. hive.exec.dynamic.partition.mode: nonstrict',
      );
      continue;
    }
    setKey(out, m.keys[i]!.name, String(value));
  }
  return out;
}

function readTls(r: Reader, node: YNode, what: string): HiveTarget['tls'] | undefined {
  if (node.kind === 'scalar' && (typeof node.value === 'boolean' || typeof node.value === 'string')) {
    const enabled = r.bool(node, what);
    return enabled === undefined ? undefined : { enabled };
  }
  const m = r.optMap(node, what);
  if (!m) return undefined;
  const tls: NonNullable<HiveTarget['tls']> = { enabled: true };
  for (let i = 0; i < m.keys.length; i++) {
    const key = m.keys[i]!;
    const v = m.values[i]!;
    const field = `'${key.name}' of ${what}`;
    if (key.name === 'enabled') {
      const b = r.bool(v, field);
      if (b !== undefined) tls.enabled = b;
    } else if (key.name === 'reject_unauthorized') {
      const b = r.bool(v, field);
      if (b !== undefined) tls.rejectUnauthorized = b;
    } else if (key.name === 'ca') {
      const s = r.str(v, field);
      if (s !== undefined) tls.ca = s;
    } else r.unknownKey(key, what, ['enabled', 'reject_unauthorized', 'ca']);
  }
  return tls;
}

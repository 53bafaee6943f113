import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findProfilesFile, loadTarget } from '../../../src/config/index.js';
import { parseTarget } from '../../../src/config/profiles.js';
import { errorOf, errorsOf, where } from './helpers.js';

const dirs: string[] = [];
function tmp(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-profiles-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const PROFILES = `shop:
  target: local
  outputs:
    local:
      type: hive
      schema: analytics
    prod:
      type: hive
      host: "{{ env_var('HIVE_HOST') }}"
      port: "{{ env_var('HIVE_PORT', '10001') | int }}"
      auth: ldap
      transport: http
      user: "{{ env_var('HIVE_USER', 'etl') }}"
      password: "{{ env_var('HIVE_PASSWORD') }}"
      schema: prod_analytics
      threads: 8
      connect_timeout: 10
      retries: 0
      session:
        hive.exec.dynamic.partition.mode: nonstrict
        hive.exec.max.dynamic.partitions: 2000
        hive.vectorized.execution.enabled: true
      tls:
        enabled: true
        reject_unauthorized: false
        ca: /etc/ssl/ca.pem
      engine: tez
      hdfs_url: http://namenode:9870
other:
  target: x
  outputs:
    x: {type: postgres}
config:
  send_anonymous_usage_stats: false
`;

describe('loadTarget', () => {
  it('resolves the default target with defaults for the local stack', () => {
    const dir = tmp({ 'profiles.yml': PROFILES });
    const t = loadTarget({ projectDir: dir, profileName: 'shop', env: {} });
    expect(t).toEqual({
      name: 'local',
      profileName: 'shop',
      type: 'hive',
      host: '127.0.0.1',
      port: 10000,
      auth: 'NONE',
      transport: 'binary',
      schema: 'analytics',
      threads: 4,
      session: {},
      connectTimeoutSeconds: 30,
      retries: 3,
      extra: {},
      file: path.join(dir, 'profiles.yml'),
    });
  });

  it('resolves a named target with env_var(), session, tls and extras', () => {
    const dir = tmp({ 'profiles.yml': PROFILES });
    const t = loadTarget({
      projectDir: dir,
      profileName: 'shop',
      targetName: 'prod',
      env: { HIVE_HOST: 'hive.prod', HIVE_PASSWORD: 's3cret' },
    });
    expect(t).toMatchObject({
      name: 'prod',
      host: 'hive.prod',
      port: 10001,
      auth: 'LDAP',
      transport: 'http',
      httpPath: 'cliservice',
      user: 'etl',
      password: 's3cret',
      schema: 'prod_analytics',
      threads: 8,
      connectTimeoutSeconds: 10,
      retries: 0,
      session: {
        'hive.exec.dynamic.partition.mode': 'nonstrict',
        'hive.exec.max.dynamic.partitions': '2000',
        'hive.vectorized.execution.enabled': 'true',
      },
      tls: { enabled: true, rejectUnauthorized: false, ca: '/etc/ssl/ca.pem' },
      extra: { engine: 'tez', hdfs_url: 'http://namenode:9870' },
    });
  });

  it('names file:line:col and the variable when an env var is missing', () => {
    const dir = tmp({ 'profiles.yml': PROFILES });
    const errors = errorsOf(() =>
      loadTarget({ projectDir: dir, profileName: 'shop', targetName: 'prod', env: {} }),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      "profiles.yml:9:13: environment variable 'HIVE_HOST' is not set, and env_var('HIVE_HOST') has no default",
      "profiles.yml:14:17: environment variable 'HIVE_PASSWORD' is not set, and env_var('HIVE_PASSWORD') has no default",
    ]);
  });

  it('lists the targets when the target is unknown', () => {
    const dir = tmp({ 'profiles.yml': PROFILES });
    const e = errorOf(() => loadTarget({ projectDir: dir, profileName: 'shop', targetName: 'prd', env: {} }));
    expect(e.message).toBe("target 'prd' is not in profile 'shop'");
    expect(e.hint).toBe("did you mean 'prod'? targets: local, prod");
  });

  it('points at the profile default when it names a missing target', () => {
    const e = errorOf(() =>
      parseTarget('p:\n  target: dev\n  outputs:\n    local: {type: hive, schema: s}\n', 'profiles.yml', {
        profileName: 'p',
      }),
    );
    expect(e.message).toBe("target 'dev' is not in profile 'p'");
    expect(where(e)).toBe('profiles.yml:2:11');
    expect(e.hint).toBe('targets: local');
  });

  it('lists the profiles when the profile is unknown', () => {
    const e = errorOf(() => parseTarget(PROFILES, 'profiles.yml', { profileName: 'shp' }));
    expect(e.message).toBe("profile 'shp' is not in profiles.yml");
    expect(e.hint).toBe("did you mean 'shop'? profiles: shop, other");
  });

  it('validates target keys and values', () => {
    const text = `p:
  target: t
  outputs:
    t:
      type: hive
      prot: 10000
      auth: basic
      threads: 0
      transport: grpc
      session: {a: {b: 1}}
`;
    const errors = errorsOf(() => parseTarget(text, 'profiles.yml', { profileName: 'p' }));
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      "profiles.yml:6:7: unknown key 'prot' in target 't'",
      "profiles.yml:7:13: 'auth' of target 't' must be one of NONE, NOSASL, LDAP, KERBEROS, not 'basic'",
      "profiles.yml:8:16: 'threads' of target 't' must be a whole number from 1 to 256, not the number 0",
      "profiles.yml:9:18: 'transport' of target 't' must be one of binary, http, not 'grpc'",
      "profiles.yml:10:20: setting 'a' of 'session' of target 't' must be a string, number or boolean",
      "profiles.yml:5:7: target 't' needs a 'schema' (the Hive database models are built in)",
    ]);
    expect(errors[0]!.hint).toMatch(/^did you mean 'port'\?/);
    expect(errors[1]!.hint).toBe('allowed: NONE, NOSASL, LDAP, KERBEROS');
  });

  it('rejects another adapter type', () => {
    const e = errorOf(() => parseTarget(PROFILES, 'profiles.yml', { profileName: 'other' }));
    expect(`${where(e)}: ${e.message}`).toBe(
      "profiles.yml:32:15: 'type' of target 'x' must be one of hive, not 'postgres'",
    );
  });

  it('uses the only target when the profile names none', () => {
    const t = parseTarget(
      'p:\n  outputs:\n    only: {type: hive, schema: s, auth: KERBEROS}\n',
      'profiles.yml',
      { profileName: 'p' },
    );
    expect(t.name).toBe('only');
    expect(t.kerberos).toEqual({ service: 'hive' });
  });
});

describe('profiles.yml lookup order', () => {
  const text = (schema: string) => `p:\n  target: t\n  outputs:\n    t: {type: hive, schema: ${schema}}\n`;

  it('--profiles-dir first, then QDBT_PROFILES_DIR, then the project, then ~/.qdbt', () => {
    const flag = tmp({ 'profiles.yml': text('from_flag') });
    const envDir = tmp({ 'profiles.yml': text('from_env') });
    const proj = tmp({ 'profiles.yml': text('from_project') });
    const home = tmp({ '.qdbt/profiles.yml': text('from_home') });
    const emptyProj = tmp();
    const env = { QDBT_PROFILES_DIR: envDir, HOME: home };
    const schema = (o: { projectDir: string; profilesDir?: string; env: Record<string, string> }) =>
      loadTarget({ ...o, profileName: 'p' }).schema;
    expect(schema({ projectDir: proj, profilesDir: flag, env })).toBe('from_flag');
    expect(schema({ projectDir: proj, env })).toBe('from_env');
    expect(schema({ projectDir: proj, env: { HOME: home } })).toBe('from_project');
    expect(schema({ projectDir: emptyProj, env: { HOME: home } })).toBe('from_home');
    expect(findProfilesFile({ projectDir: emptyProj, env: { HOME: home } })).toBe(
      path.join(home, '.qdbt', 'profiles.yml'),
    );
  });

  it('does not fall back when the given folder has no profiles.yml', () => {
    const empty = tmp();
    const proj = tmp({ 'profiles.yml': text('x') });
    const e = errorOf(() => findProfilesFile({ projectDir: proj, profilesDir: empty, env: {} }));
    expect(e.message).toBe(`No profiles.yml found in ${empty} (given by --profiles-dir)`);
    const e2 = errorOf(() => findProfilesFile({ projectDir: proj, env: { QDBT_PROFILES_DIR: empty } }));
    expect(e2.message).toBe(`No profiles.yml found in ${empty} (given by QDBT_PROFILES_DIR)`);
  });

  it('says where it looked when there is none', () => {
    const proj = tmp();
    const home = tmp();
    const e = errorOf(() => findProfilesFile({ projectDir: proj, env: { HOME: home } }));
    expect(e.message).toBe(`No profiles.yml found in ${proj} or ${path.join(home, '.qdbt')}`);
  });

  it('names profiles.yml relative to the project in errors', () => {
    const proj = tmp({ 'profiles.yml': 'p:\n  outputs:\n    t: {type: hive}\n' });
    const e = errorOf(() => loadTarget({ projectDir: proj, profileName: 'p', env: {} }));
    expect(where(e)).toBe('profiles.yml:3:8');
    expect(e.message).toBe("target 't' needs a 'schema' (the Hive database models are built in)");
  });
});

/**
 * What the ingest and compact commands share: the project's landing declarations, a WebHDFS client
 * for the target's `hdfs_url`, and a lazily connected adapter.
 */
import { createAdapter } from '../adapters/index.js';
import type { Adapter } from '../adapters/types.js';
import type { HiveTarget } from '../config/types.js';
import { QdbtError } from '../errors.js';
import { loadProject, type LoadOptions } from '../project/loadProject.js';
import { WebHdfsClient } from './hdfs/webhdfs.js';
import { landingDeclarations } from './landing/declarations.js';
import type { LandingDeclaration } from './landing/types.js';

export interface IngestContext {
  projectDir: string;
  target: HiveTarget;
  lakeRoot: string;
  declarations: LandingDeclaration[];
  client: WebHdfsClient;
  adapter: () => Promise<Adapter>;
  close: () => Promise<void>;
}

function extraString(target: HiveTarget, key: string): string | undefined {
  const value = target.extra[key];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** WebHDFS settings of a target: `hdfs_url`, `hdfs_standby_url`, `hdfs_user`, and a delegation token. */
export function webHdfsClientFor(
  target: HiveTarget,
  env: Record<string, string | undefined> = process.env,
): WebHdfsClient {
  const url = extraString(target, 'hdfs_url');
  if (!url)
    throw new QdbtError('usage', `Target '${target.name}' has no hdfs_url`, {
      location: { file: target.file },
      hint: 'Add hdfs_url: http://<namenode>:9870 to the target in profiles.yml.',
    });
  return new WebHdfsClient({
    url,
    standbyUrl: extraString(target, 'hdfs_standby_url'),
    user: extraString(target, 'hdfs_user'),
    delegationToken: env.QDBT_HDFS_DELEGATION_TOKEN || extraString(target, 'hdfs_delegation_token'),
  });
}

export function ingestContext(options: LoadOptions & { lakeRoot?: string }): IngestContext {
  const project = loadProject(options);
  const lakeRoot = options.lakeRoot ?? extraString(project.target, 'lake_root') ?? '/lake';
  const declarations = landingDeclarations(project.parsed.manifest, { lakeRoot });
  const client = webHdfsClientFor(project.target, options.env);
  let adapter: Promise<Adapter> | null = null;
  return {
    projectDir: project.projectDir,
    target: project.target,
    lakeRoot,
    declarations,
    client,
    adapter: () => (adapter ??= createAdapter(project.target, { threads: 1 })),
    close: async () => {
      client.close();
      if (adapter) await (await adapter.catch(() => null))?.close();
    },
  };
}

import type { Command } from 'commander';
import { QdbtError } from '../../errors.js';
import { contextFrom } from '../globalOptions.js';
import { loadProjectConfig, loadTarget } from '../../config/index.js';
import type { HiveTarget } from '../../config/types.js';
import { HiveConnection, type HiveAuthMode } from '../../adapters/hive/connection.js';
import { WebHdfsClient } from '../../ingest/hdfs/webhdfs.js';

/** Connection options for a profile target (what `qdbt debug` and the adapter open). */
export function connectionOptionsFor(target: HiveTarget): Parameters<typeof HiveConnection.open>[0] {
  if (target.transport !== 'binary')
    throw new QdbtError(
      'usage',
      `target ${target.name}: transport ${target.transport} is not supported yet (binary only)`,
      { location: { file: target.file } },
    );
  if (target.auth === 'KERBEROS')
    throw new QdbtError('usage', `target ${target.name}: auth KERBEROS is not supported yet`, {
      location: { file: target.file },
    });
  return {
    host: target.host,
    port: target.port,
    auth: target.auth as HiveAuthMode,
    user: target.user,
    password: target.password,
    session: target.session,
    connectTimeoutMs: target.connectTimeoutSeconds * 1000,
  };
}

/** `qdbt debug`: opens a session on the target, runs SELECT 1, reports the server and its version. */
export function registerDebugCommand(program: Command): void {
  program
    .command('debug')
    .description(
      'check the connection: open a HiveServer2 session on the target, run SELECT 1, report the server',
    )
    .action(async (_flags: unknown, command: Command) => {
      const context = contextFrom(command);
      const { options, reporter } = context;
      const project = loadProjectConfig(options.projectDir);
      const target = loadTarget({
        projectDir: options.projectDir,
        profilesDir: options.profilesDir,
        profileName: project.profile,
        targetName: options.target,
      });
      reporter.emit({
        name: 'debug_target',
        level: 'info',
        message: `Target ${target.name} (profile ${target.profileName}, ${target.file}): ${target.host}:${target.port}, auth ${target.auth}`,
      });
      const t0 = performance.now();
      const connection = await HiveConnection.open(connectionOptionsFor(target));
      const lines: string[] = [];
      try {
        const openMs = performance.now() - t0;
        const result = await connection.execute('SELECT 1', { timeoutMs: 60_000 });
        const info = await connection.serverInfo();
        lines.push(`  server:     ${info.name} ${info.version}`);
        lines.push(`  endpoint:   ${target.host}:${target.port} (auth ${target.auth})`);
        lines.push(`  session:    opened in ${Math.round(openMs)} ms`);
        lines.push(`  SELECT 1:   ${String(result.rows[0]?.[0])} in ${Math.round(result.elapsedMs)} ms`);
        reporter.emit({
          name: 'debug_ok',
          level: 'debug',
          message: 'connection ok',
          data: { server: info, openMs, selectMs: result.elapsedMs },
        });
      } finally {
        await connection.close();
      }
      const hdfsUrl = target.extra.hdfs_url;
      if (typeof hdfsUrl === 'string' && hdfsUrl) {
        const client = new WebHdfsClient({ url: hdfsUrl, timeoutMs: 10_000 });
        try {
          const entries = await client.list('/');
          lines.push(`  WebHDFS:    ${hdfsUrl} lists / (${entries.length} entries)`);
        } catch (error) {
          lines.push(`  WebHDFS:    ${hdfsUrl} FAILED: ${(error as Error).message}`);
          process.exitCode = 1;
        } finally {
          client.close();
        }
      }
      reporter.result(['Connection ok', ...lines].join('\n'));
    });
}

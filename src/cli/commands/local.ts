import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { QdbtError } from '../../errors.js';
import { contextFrom, type CommandContext } from '../globalOptions.js';
import { layoutOf } from '../../local/layout.js';
import { tailFile } from '../../local/processes.js';
import { logFilesOf } from '../../local/servers.js';
import { loadLocalSettings, SERVERS, type LocalFlags, type ServerName } from '../../local/settings.js';
import { down, reset, status, up, type StackListener } from '../../local/stack.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function listenerFor(context: CommandContext): StackListener {
  return (event) =>
    context.reporter.emit({
      name: event.name,
      level: 'info',
      message: event.message,
      data: { server: event.server, ...event.data },
    });
}

function mib(bytes: number | null): string {
  return bytes === null ? '-' : `${Math.round(bytes / 1024 / 1024)} MiB`;
}

function withStackOptions(command: Command): Command {
  return command
    .option('--engine <engine>', 'hive, spark or both (default: local.engine in project.yml, else hive)')
    .option('--port <name=port>', 'override a port, e.g. hive=10001 (repeatable)', collect)
    .option('--heap <name=size>', 'override a heap, e.g. hive=2g (repeatable)', collect)
    .option('--timeout <seconds>', 'how long to wait for each server');
}

/** `qdbt local up|down|status|logs|reset`: the single-node stack of .qdbt/local. */
export function registerLocalCommands(program: Command): void {
  const local = program
    .command('local')
    .description('run a single-node HDFS + HiveServer2 (+ Spark Thrift) + Kafka stack on this machine');

  withStackOptions(
    local.command('up').description('start the local stack and wait until every server answers'),
  ).action(async (flags: LocalFlags, command: Command) => {
    const context = contextFrom(command);
    const settings = loadLocalSettings(context.options.projectDir, flags);
    const result = await up(settings, listenerFor(context));
    const lines = result.servers.map(
      (s) =>
        `  ${s.server.padEnd(9)} ${s.state === 'started' ? `ready in ${(s.readyMs / 1000).toFixed(1).padStart(5)} s` : 'already running  '}  pid ${String(s.pid).padEnd(8)} ${mib(s.rssBytes).padStart(9)}  ${s.endpoint}`,
    );
    context.reporter.emit({
      name: 'stack_up',
      level: 'info',
      message: `Local stack up in ${(result.totalMs / 1000).toFixed(1)} s (data in ${settings.home})`,
      data: { ...result },
    });
    context.reporter.result(lines.join('\n'));
  });

  withStackOptions(
    local.command('down').description('stop the processes the stack recorded (never by name); data stays'),
  ).action(async (flags: LocalFlags, command: Command) => {
    const context = contextFrom(command);
    const settings = loadLocalSettings(context.options.projectDir, flags);
    const stopped = await down(settings, listenerFor(context));
    context.reporter.result(stopped.length ? `Stopped: ${stopped.join(', ')}` : 'Nothing was running.');
  });

  withStackOptions(local.command('status').description("each server's health, pid, ports and memory")).action(
    async (flags: LocalFlags, command: Command) => {
      const context = contextFrom(command);
      const settings = loadLocalSettings(context.options.projectDir, flags);
      const rows = await status(settings);
      context.reporter.emit({
        name: 'stack_status',
        level: 'debug',
        message: 'status',
        data: { servers: rows },
      });
      const header = `  ${'server'.padEnd(9)} ${'health'.padEnd(8)} ${'pid'.padEnd(8)} ${'ports'.padEnd(16)} ${'memory'.padStart(9)}  detail`;
      const lines = rows.map(
        (r) =>
          `  ${r.server.padEnd(9)} ${(r.healthy ? 'up' : r.running ? 'DOWN?' : '-').padEnd(8)} ${String(r.pid ?? '-').padEnd(8)} ${r.ports.join(',').padEnd(16)} ${mib(r.rssBytes).padStart(9)}  ${r.detail}`,
      );
      const total = rows.reduce((n, r) => n + (r.rssBytes ?? 0), 0);
      context.reporter.result([header, ...lines, `  total resident memory: ${mib(total)}`].join('\n'));
      if (rows.some((r) => r.running && !r.healthy)) process.exitCode = 1;
    },
  );

  local
    .command('logs [server]')
    .description(`last lines of a server's log (${SERVERS.join(', ')}; default all)`)
    .option('-n, --lines <n>', 'how many lines', '40')
    .option('-f, --follow', 'keep printing new lines (one server)')
    .action(
      async (server: string | undefined, flags: { lines: string; follow?: boolean }, command: Command) => {
        const context = contextFrom(command);
        const settings = loadLocalSettings(context.options.projectDir);
        const layout = layoutOf(settings);
        if (server !== undefined && !(SERVERS as readonly string[]).includes(server))
          throw new QdbtError('usage', `No server '${server}': choose one of ${SERVERS.join(', ')}`);
        const lines = Number(flags.lines);
        if (!Number.isInteger(lines) || lines < 1)
          throw new QdbtError('usage', `--lines takes a whole number, not '${flags.lines}'`);
        const servers = server ? [server as ServerName] : [...SERVERS];
        for (const s of servers) {
          for (const file of logFilesOf(layout, s)) {
            if (!existsSync(file)) continue;
            context.reporter.result(`==> ${file} <==\n${tailFile(file, lines)}`);
          }
        }
        if (flags.follow) {
          const file = logFilesOf(layout, servers[0]!)[0]!;
          if (!existsSync(file)) throw new QdbtError('usage', `${file} does not exist yet`);
          let position = statSync(file).size;
          for (;;) {
            await new Promise((r) => setTimeout(r, 500));
            const size = statSync(file).size;
            if (size < position) position = 0;
            if (size > position) {
              const fd = openSync(file, 'r');
              const buffer = Buffer.alloc(size - position);
              readSync(fd, buffer, 0, buffer.length, position);
              closeSync(fd);
              process.stdout.write(buffer);
              position = size;
            }
          }
        }
      },
    );

  local
    .command('reset')
    .description('stop the stack and delete its data and logs (jars stay cached)')
    .option('-y, --yes', 'do not ask')
    .action(async (flags: { yes?: boolean }, command: Command) => {
      const context = contextFrom(command);
      const settings = loadLocalSettings(context.options.projectDir);
      if (!flags.yes) {
        if (!process.stdin.isTTY)
          throw new QdbtError(
            'usage',
            `reset deletes every table, file and topic under ${settings.home}: pass --yes to confirm`,
          );
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Delete all data of the local stack under ${settings.home}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          context.reporter.result('Nothing deleted.');
          return;
        }
      }
      await reset(settings, listenerFor(context));
      context.reporter.result('Local stack reset: `qdbt local up` starts it empty.');
    });
}

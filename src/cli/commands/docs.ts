import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { QdbtError } from '../../errors.js';
import { readProjectHead } from '../../project/readProject.js';
import { contextFrom } from '../globalOptions.js';

export function registerDocsCommands(program: Command): void {
  const docs = program
    .command('docs')
    .description('the project documentation site, with lineage from landed files');
  docs
    .command('generate')
    .description(
      'compile, read the catalog and the landing ledger, write target/catalog.json and target/index.html',
    )
    .option('--no-compile', 'do not compile first: parse only (no compiled SQL in the docs)')
    .option('--empty-catalog', 'do not ask the warehouse: catalog.json has no entries', false)
    .option('--no-ledger', 'do not read the landing ledgers from the lake')
    .option(
      '--ledger-files <n>',
      'newest landed files shown per source',
      (v) => wholeNumber(v, '--ledger-files'),
      10,
    )
    .option('--lake-root <path>', "the lake's root folder (default: the target's lake_root, else /lake)")
    .action(
      async (
        flags: {
          compile: boolean;
          emptyCatalog: boolean;
          ledger: boolean;
          ledgerFiles: number;
          lakeRoot?: string;
        },
        command: Command,
      ) => {
        const { options, reporter } = contextFrom(command);
        const { generateDocs } = await import('../../docs/generate.js');
        await generateDocs(
          {
            global: options,
            compile: flags.compile,
            emptyCatalog: flags.emptyCatalog,
            ledger: flags.ledger,
            ledgerFiles: flags.ledgerFiles,
            lakeRoot: flags.lakeRoot,
          },
          { reporter },
        );
      },
    );
  docs
    .command('serve')
    .description('serve the target folder (index.html, manifest.json, catalog.json) over HTTP')
    .option('--port <port>', 'port to listen on (0: any free port)', (v) => wholeNumber(v, '--port'), 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--no-browser', 'do not open a browser')
    .action(async (flags: { port: number; host: string; browser: boolean }, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const { targetDir } = readProjectHead(options);
      if (!existsSync(join(targetDir, 'index.html')))
        throw new QdbtError('usage', `No index.html in ${targetDir}`, {
          hint: 'Run `qdbt docs generate` first.',
        });
      const { startDocsServer } = await import('../../docs/serve.js');
      const server = await startDocsServer({ root: targetDir, host: flags.host, port: flags.port });
      reporter.emit({
        name: 'docs_serving',
        level: 'info',
        message: `Serving ${targetDir} at ${server.url} (Ctrl-C to stop)`,
        data: { url: server.url },
      });
      if (flags.browser) openBrowser(server.url);
      // Stopping is how serve ends: exit 0 once the server has closed.
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      await server.close();
      reporter.emit({ name: 'docs_stopped', level: 'info', message: `Stopped serving (${signal})` });
    });
}

function wholeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new QdbtError('usage', `${flag} takes a whole number, not '${value}'`);
  return n;
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    // A machine without a browser (CI, a server) is fine: the URL is printed above.
    spawn(command, args, { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
  } catch {
    /* no opener */
  }
}

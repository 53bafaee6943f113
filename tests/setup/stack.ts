/**
 * Global setup of the `integration` project: make sure the local stack (both engines) runs.
 *
 * - A server already running (started by `qdbt local up`, by hand or by another test run) is reused
 *   and left running afterwards.
 * - A server not running is started here (first time: jars from Maven Central via mvn), and stopped
 *   again in teardown, so a test run leaves the machine as it found it.
 * - QDBT_TEST_KEEP_STACK=1 keeps what this run started (faster next runs).
 */
import type { TestProject } from 'vitest/node';
import {
  loadLocalSettings,
  serversFor,
  type LocalSettings,
  type ServerName,
} from '../../src/local/settings.js';
import { layoutOf } from '../../src/local/layout.js';
import { stopProcess } from '../../src/local/processes.js';
import { up } from '../../src/local/stack.js';

export interface StackInfo {
  projectDir: string;
  ports: LocalSettings['ports'];
  hiveUrl: { host: string; port: number };
  sparkUrl: { host: string; port: number };
  webhdfsUrl: string;
  kafkaBroker: string;
  startedHere: ServerName[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const projectDir = process.cwd();
  const settings = loadLocalSettings(projectDir, { engine: 'both' });
  const log = (message: string): void => void process.stderr.write(`[stack] ${message}\n`);
  log(`using ${settings.home} (servers: ${serversFor('both').join(', ')})`);
  const result = await up(settings, (event) => log(event.message));
  log(
    `ready in ${(result.totalMs / 1000).toFixed(1)} s; started here: ${result.started.join(', ') || 'nothing'}`,
  );
  const info: StackInfo = {
    projectDir,
    ports: settings.ports,
    hiveUrl: { host: '127.0.0.1', port: settings.ports.hive },
    sparkUrl: { host: '127.0.0.1', port: settings.ports.spark },
    webhdfsUrl: `http://127.0.0.1:${settings.ports.namenode_http}`,
    kafkaBroker: `127.0.0.1:${settings.ports.kafka}`,
    startedHere: result.started,
  };
  project.provide('stack', info);
  return async () => {
    if (process.env.QDBT_TEST_KEEP_STACK === '1' || result.started.length === 0) return;
    const layout = layoutOf(settings);
    for (const server of [...result.started].reverse()) {
      const stopped = await stopProcess(layout, server);
      if (stopped.stopped) log(`stopped ${server} (started by this test run)`);
    }
  };
}

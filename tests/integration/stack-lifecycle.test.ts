import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { HiveConnection } from '../../src/adapters/hive/connection.js';
import { WebHdfsClient } from '../../src/ingest/hdfs/webhdfs.js';
import { QdbtError } from '../../src/errors.js';
import { DEFAULT_PORTS, loadLocalSettings, resolveLocalSettings } from '../../src/local/settings.js';
import { down, status, up } from '../../src/local/stack.js';

const stack = inject('stack');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describe('qdbt local: lifecycle', () => {
  it('up twice: the second finds everything running and starts nothing', async () => {
    const settings = loadLocalSettings(stack.projectDir, { engine: 'both' });
    const result = await up(settings);
    expect(result.started).toEqual([]);
    expect(result.servers.map((s) => s.state)).toEqual([
      'running',
      'running',
      'running',
      'running',
      'running',
    ]);
    const rows = await status(settings);
    expect(rows.every((r) => r.healthy)).toBe(true);
  });

  it('a taken port gives a clear error and starts nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-port-'));
    const blocker = net.createServer();
    try {
      const ports = await Promise.all(
        Object.keys(DEFAULT_PORTS).map(async (name) => `${name}=${await freePort()}`),
      );
      const settings = resolveLocalSettings(dir, {}, { port: ports });
      await new Promise<void>((resolve) => blocker.listen(settings.ports.namenode, '127.0.0.1', resolve));
      const error = await up(settings).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QdbtError);
      expect((error as QdbtError).message).toContain(
        `Port ${settings.ports.namenode} on 127.0.0.1 (HDFS NameNode, namenode) is already taken`,
      );
      expect((error as QdbtError).hint).toContain('--port namenode=');
      const run = path.join(settings.home, 'run');
      expect(existsSync(run) ? readdirSync(run).filter((f) => f.endsWith('.pid')) : []).toEqual([]);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('missing Java gives a clear error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-java-'));
    const saved = process.env.PATH;
    try {
      process.env.PATH = '/nonexistent';
      const error = await up(resolveLocalSettings(dir, {})).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QdbtError);
      expect((error as QdbtError).message).toContain('`java` was not found');
    } finally {
      process.env.PATH = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('down then up keeps tables, files and topics (on a private stack, so the shared one keeps running)', async () => {
    // A second stack (HDFS, Kafka, HiveServer2) in a temp folder on free ports; the resolved class
    // paths and the metastore scripts are copied from the project's stack, so no Maven runs.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-restart-'));
    const ports = await Promise.all(
      Object.keys(DEFAULT_PORTS).map(async (name) => `${name}=${await freePort()}`),
    );
    const settings = resolveLocalSettings(dir, {}, { engine: 'hive', port: ports });
    const shared = loadLocalSettings(stack.projectDir).home;
    for (const sub of ['classpath', 'dist'])
      if (existsSync(path.join(shared, sub)))
        cpSync(path.join(shared, sub), path.join(settings.home, sub), { recursive: true });
    const hdfsUrl = `http://127.0.0.1:${settings.ports.namenode_http}`;
    const broker = `127.0.0.1:${settings.ports.kafka}`;
    try {
      const first = await up(settings);
      expect(first.started).toEqual(['namenode', 'datanode', 'kafka', 'hive']);
      const hive = await HiveConnection.open({ host: '127.0.0.1', port: settings.ports.hive, auth: 'NONE' });
      await hive.execute('CREATE DATABASE IF NOT EXISTS qdbt_it_keep');
      await hive.execute('CREATE TABLE qdbt_it_keep.kept (id INT) STORED AS PARQUET');
      await hive.execute('INSERT INTO qdbt_it_keep.kept VALUES (1), (2)');
      await hive.close();
      const hdfs = new WebHdfsClient({ url: hdfsUrl });
      await hdfs.create('/tmp/qdbt-it-keep.txt', 'kept', { overwrite: true });
      hdfs.close();
      const kafka = new Kafka({ clientId: 'qdbt-it', brokers: [broker], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'qdbt-it-keep' }], waitForLeaders: true });
      await admin.disconnect();

      const stopped = await down(settings);
      expect(stopped.sort()).toEqual(['datanode', 'hive', 'kafka', 'namenode']);
      expect((await status(settings)).every((r) => !r.running)).toBe(true);

      const second = await up(settings);
      expect(second.started).toEqual(['namenode', 'datanode', 'kafka', 'hive']);
      const again = await HiveConnection.open({ host: '127.0.0.1', port: settings.ports.hive, auth: 'NONE' });
      expect((await again.execute('SELECT id FROM qdbt_it_keep.kept ORDER BY id')).rows).toEqual([[1], [2]]);
      await again.close();
      const hdfs2 = new WebHdfsClient({ url: hdfsUrl });
      expect((await hdfs2.read('/tmp/qdbt-it-keep.txt')).toString()).toBe('kept');
      hdfs2.close();
      const admin2 = kafka.admin();
      await admin2.connect();
      expect(await admin2.listTopics()).toContain('qdbt-it-keep');
      await admin2.disconnect();
    } finally {
      await down(settings);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

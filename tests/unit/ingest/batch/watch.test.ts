/**
 * What a watch process remembers between passes: the checksums of landing files by stat (a file
 * whose stat is unchanged is not read again) and the ledger (read again only when its listing
 * shows a file the process did not write).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryHdfs } from './memoryHdfs.js';
import { txDeclaration } from './txDeclaration.js';
import { BatchMemory, FileChecksums, ingestBatchOnce } from '../../../../src/ingest/batch/run.js';
import { sha256File } from '../../../../src/ingest/batch/io.js';
import type { WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import { LedgerWriter, readLedger } from '../../../../src/ingest/ledger/index.js';
import type { RegisterAdapter } from '../../../../src/ingest/register/index.js';

const root = mkdtempSync(join(tmpdir(), 'qdbt-watch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const declaration = txDeclaration;

const adapter = {
  capabilities: { supportsSkipHeaderLine: true, supportsHiveJsonSerde: true },
  execute: async () => ({ rows: [] }),
  createSchemaIfMissing: async () => undefined,
} as unknown as RegisterAdapter;

describe('FileChecksums (recorded stats)', () => {
  const stat = { size: 120, mtimeMs: 1714548600000.5, ctimeMs: 1714548600000.5, ino: 4711 };
  it('gives the checksum back for the same stat only', () => {
    const memo = new FileChecksums();
    memo.set('/in/tx_1.csv', stat, 'a'.repeat(64));
    expect(memo.get('/in/tx_1.csv', { ...stat })).toBe('a'.repeat(64));
    expect(memo.get('/in/tx_2.csv', stat)).toBeNull();
    for (const change of [
      { size: 121 },
      { mtimeMs: stat.mtimeMs + 1 },
      { ctimeMs: stat.ctimeMs + 1 },
      { ino: 4712 },
    ])
      expect(memo.get('/in/tx_1.csv', { ...stat, ...change })).toBeNull();
    memo.keepOnly(['/in/tx_2.csv']);
    expect(memo.size).toBe(0);
  });
});

describe('ingestBatchOnce with a watch process memory', () => {
  it('does not read an unchanged file again; hashes a changed one (same size, mtime set back) and lands it as a new version', async () => {
    const from = join(root, 'files');
    mkdirSync(from);
    for (let f = 0; f < 4; f++)
      writeFileSync(
        join(from, `tx_${f}.csv`),
        `id,units\n${Array.from({ length: 200 }, (_, i) => `${f}-${i},${i}`).join('\n')}\n`,
      );
    // Whole seconds, so that the mtime can be set back exactly below.
    for (let f = 0; f < 4; f++) utimesSync(join(from, `tx_${f}.csv`), 1714548600, 1714548600);
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const hashed: string[] = [];
    const pass = (memory?: BatchMemory) =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter,
        declarations: [declaration],
        from,
        settleMs: 0,
        memory,
        hashFile: (path) => {
          hashed.push(path);
          return sha256File(path);
        },
      });
    const memory = new BatchMemory();
    expect(await pass(memory)).toMatchObject({ landed: 4, failed: 0 });
    expect(hashed).toEqual([]); // sizes never seen: checksummed by the read that lands them

    // One-shot: every file of a known size is hashed again.
    expect(await pass()).toMatchObject({ landed: 0, skipped: 4 });
    expect(hashed).toHaveLength(4);

    // Watch: none is read, and the ledger is not read either (nothing new in its folder).
    hashed.length = 0;
    const reads = hdfs.reads.length;
    expect(await pass(memory)).toMatchObject({ landed: 0, skipped: 4 });
    expect(hashed).toEqual([]);
    expect(hdfs.reads.length).toBe(reads);

    // Same size, same mtime, other bytes (ctime moved): hashed again, landed as version 2.
    const path = join(from, 'tx_2.csv');
    const before = statSync(path);
    writeFileSync(path, readFileSync(path, 'utf8').replace('2-0,0', '2-0,9'));
    utimesSync(path, before.atime, before.mtime);
    expect(statSync(path)).toMatchObject({ size: before.size, mtimeMs: before.mtimeMs, ino: before.ino });
    expect(await pass(memory)).toMatchObject({ landed: 1, skipped: 3, failed: 0 });
    expect(hashed).toEqual([path]);
    const versions = (await readLedger(client, declaration))
      .filter((r) => r.event === 'landed' && r.source_file === 'tx_2.csv')
      .map((r) => (r as { version: number }).version);
    expect(versions.sort()).toEqual([1, 2]);

    // And unchanged again afterwards.
    hashed.length = 0;
    expect(await pass(memory)).toMatchObject({ landed: 0, skipped: 4 });
    expect(hashed).toEqual([]);
  });

  it('reads the ledger again when another writer added a file, and then knows its records', async () => {
    const from = join(root, 'other-writer');
    mkdirSync(from);
    const body = `id,units\n${Array.from({ length: 50 }, (_, i) => `o-${i},${i}`).join('\n')}\n`;
    writeFileSync(join(from, 'tx_1.csv'), body);
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const memory = new BatchMemory();
    const pass = () =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter,
        declarations: [declaration],
        from,
        settleMs: 0,
        memory,
      });
    expect(await pass()).toMatchObject({ landed: 1 });
    const ledgerReads = () => hdfs.reads.filter((p) => p.includes('/_qdbt_ledger/')).length;
    let seen = ledgerReads();
    expect(await pass()).toMatchObject({ skipped: 1 });
    expect(ledgerReads()).toBe(seen);

    // Another process lands the same bytes under another name (its own ledger file).
    const checksum = (await sha256File(join(from, 'tx_1.csv'))).checksum;
    writeFileSync(join(from, 'tx_2.csv'), `${body}o-x,1\n`);
    const tx2 = (await sha256File(join(from, 'tx_2.csv'))).checksum;
    await new LedgerWriter(client, declaration).append({
      event: 'landed',
      source_file: 'tx_2.csv',
      source_path: 'tx_2.csv',
      checksum: tx2,
      version: 1,
      rows: 51,
      rows_rejected: 0,
      bytes: body.length + 6,
      landed_bytes: body.length + 6,
      partition: { dt: '2024-05-01' },
      path: `${declaration.lakePath}/dt=2024-05-01/tx_2.csv`,
      original_path: null,
      rejects_path: null,
      normalized: false,
    });
    expect(checksum).not.toBe(tx2);
    expect(await pass()).toMatchObject({ landed: 0, skipped: 2 }); // it knows tx_2 landed
    expect(ledgerReads()).toBeGreaterThan(seen);
    seen = ledgerReads();
    expect(await pass()).toMatchObject({ landed: 0, skipped: 2 });
    expect(ledgerReads()).toBe(seen);
  });
});

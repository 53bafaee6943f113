/**
 * The docs' ledger reader: every landing declaration's ledger, read from the lake through WebHDFS.
 * A docs build must not fail because the lake is down, so nothing here throws: an unreachable
 * NameNode (or one too slow for `timeoutMs`) gives no records and a note saying why.
 */
import type { WebHdfsClient } from '../ingest/hdfs/webhdfs.js';
import type { LandingDeclaration } from '../ingest/landing/types.js';
import { mapLimit, readLedger, type LedgerRecord } from '../ingest/ledger/index.js';

export interface LedgerRead {
  /** Records per source unique_id, oldest first; empty when the ledger was not read. */
  records: Map<string, LedgerRecord[]>;
  /** Null when every ledger was read; else why not (shown as a warning and in the page). */
  problem: string | null;
}

export async function readLedgers(
  client: Pick<WebHdfsClient, 'list' | 'read'>,
  declarations: LandingDeclaration[],
  options: { timeoutMs?: number; concurrency?: number } = {},
): Promise<LedgerRead> {
  const records = new Map<string, LedgerRecord[]>();
  if (declarations.length === 0) return { records, problem: null };
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const all = await Promise.race([
      mapLimit(declarations, options.concurrency ?? 8, (d) => readLedger(client as WebHdfsClient, d)),
      timeout,
    ]);
    declarations.forEach((d, i) => records.set(d.uniqueId, all[i]!));
    return { records, problem: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { records: new Map(), problem: reason };
  } finally {
    clearTimeout(timer);
  }
}

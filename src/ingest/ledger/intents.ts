/**
 * Landing intents. A batch file is renamed into its partition folder (and its partition registered)
 * before its `landed` record reaches the ledger, which batches records for up to 2 s: a run that
 * stops in between (killed, the ledger write failing) leaves a landed file the ledger does not know.
 * So before the first rename, one MKDIRS (one NameNode call: no DataNode, no lease, unlike a ledger
 * append) leaves a marker saying which file is landing, at which ingestion time and under which name:
 *
 *   <lakePath>/_qdbt_ledger/_intents/<run>/<sha256>-<bytes>-<YYYYMMDDTHHMMSSmmmZ>/<file name>
 *
 * `<run>` is the run's ledger file name: once its records are written, the run deletes its folder
 * (one call per pass). A marker whose file has no `landed` record is a landing that stopped: the next
 * pass lands that file again at the marker's ingestion time under the marker's name, i.e. to the same
 * paths (a file already there stays, the new copy is dropped), and records it. Readers of the ledger
 * (readLedger: freshness, docs) list files only, so they never see these folders.
 */
import type { WebHdfsClient } from '../hdfs/webhdfs.js';
import { WebHdfsError } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import { ledgerDir, mapLimit } from './index.js';

export interface Intent {
  /** The run that left it (its ledger file's name). */
  run: string;
  /** sha256 and size of the file as it arrived. */
  checksum: string;
  bytes: number;
  /** ISO time the landing used for its ingestion partition (and `_original`, `_rejects` folders). */
  ingestedAt: string;
  /** The marker folder's name (in the run's folder). */
  marker: string;
}

export interface IntentRun {
  run: string;
  /** Of the run's folder: when its last marker was made (ms since the epoch, NameNode clock). */
  modificationTime: number;
  intents: Intent[];
}

export function intentsDir(declaration: Pick<LandingDeclaration, 'lakePath'>): string {
  return `${ledgerDir(declaration)}/_intents`;
}

/** `2024-05-01T07:59:30.123Z` as `20240501T075930123Z` (HDFS names cannot hold `:`). */
function stamp(time: Date): string {
  return time.toISOString().replace(/[-:.]/g, '');
}

const MARKER = /^([0-9a-f]{64})-(\d+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/;

export function parseMarker(run: string, marker: string): Intent | null {
  const m = MARKER.exec(marker);
  if (!m) return null;
  return {
    run,
    checksum: m[1]!,
    bytes: Number(m[2]),
    ingestedAt: `${m[3]}-${m[4]}-${m[5]}T${m[6]}:${m[7]}:${m[8]}.${m[9]}Z`,
    marker,
  };
}

/** A file name as an HDFS path component: `%` and `:` escaped. */
export function escapeName(name: string): string {
  return name.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export function unescapeName(name: string): string {
  return name.replace(/%(25|3A)/gi, (_, hex: string) => (hex === '25' ? '%' : ':'));
}

/** The intents of every run that left its folder (runs that stopped, and runs in progress). */
export async function readIntents(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
): Promise<IntentRun[]> {
  const dir = intentsDir(declaration);
  const runs = await listOrEmpty(client, dir);
  return mapLimit(
    runs.filter((r) => r.type === 'DIRECTORY'),
    8,
    async (r) => ({
      run: r.pathSuffix,
      modificationTime: r.modificationTime,
      intents: (await listOrEmpty(client, `${dir}/${r.pathSuffix}`))
        .map((m) => parseMarker(r.pathSuffix, m.pathSuffix))
        .filter((i): i is Intent => i !== null),
    }),
  );
}

/** The file name a marker holds (what the landing named its files after), or null. */
export async function intentName(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
  intent: Intent,
): Promise<string | null> {
  const [entry] = await listOrEmpty(client, `${intentsDir(declaration)}/${intent.run}/${intent.marker}`);
  return entry ? unescapeName(entry.pathSuffix) : null;
}

export async function deleteIntentRun(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
  run: string,
): Promise<void> {
  await client.delete(`${intentsDir(declaration)}/${run}`, { recursive: true });
}

async function listOrEmpty(client: WebHdfsClient, path: string) {
  try {
    return await client.list(path);
  } catch (error) {
    if (error instanceof WebHdfsError && error.notFound) return [];
    throw error;
  }
}

/** One run's markers: made before a file's first rename, kept until the run's records are written. */
export class IntentLog {
  /** Files marked whose ledger records are not written yet. */
  private readonly unsettled = new Set<string>();
  private marked = false;

  constructor(
    private readonly client: WebHdfsClient,
    private readonly declaration: Pick<LandingDeclaration, 'lakePath'>,
    readonly run: string,
  ) {}

  /** One MKDIRS (the run's folder and `_intents` come with it). */
  async mark(checksum: string, bytes: number, ingestedAt: Date, name: string): Promise<void> {
    this.marked = true;
    this.unsettled.add(checksum);
    const marker = `${checksum}-${bytes}-${stamp(ingestedAt)}`;
    const path = `${intentsDir(this.declaration)}/${this.run}/${marker}/${escapeName(name)}`;
    if (!(await this.client.mkdirs(path))) throw new Error(`could not make the landing marker ${path}`);
  }

  /** The file's records are in the ledger: its marker is no longer needed. */
  settle(checksum: string): void {
    this.unsettled.delete(checksum);
  }

  /** Deletes the run's folder once every file marked is recorded; false when some are not (kept for the next pass). */
  async clear(): Promise<boolean> {
    if (!this.marked) return true;
    if (this.unsettled.size) return false;
    await deleteIntentRun(this.client, this.declaration, this.run);
    this.marked = false;
    return true;
  }
}

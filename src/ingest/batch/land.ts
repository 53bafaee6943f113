/**
 * Landing one batch file: check it against its declaration, write it to a hidden temporary name in
 * its partition folder, rename it into place. Hive skips names starting with `.` or `_`, so a reader
 * never sees half a file.
 *
 * What lands:
 * - The file's own bytes, when its columns are the declared ones in the declared order (aliases
 *   allowed: the staging table maps columns by position and skips the header) and every row is good.
 * - Otherwise a normalized file: header in declared names and order, columns reordered, missing
 *   optional columns empty, bad rows left out. The original bytes then land under
 *   `<lakePath>/_original/<partition>/` for audit, and bad rows go to
 *   `<lakePath>/_rejects/<partition>/<file>.rejects.jsonl` with their line numbers.
 * - A file that cannot be read as declared goes to `<lakePath>/_quarantine/` with a `.reason.txt`.
 *
 * Before the first rename into the staging table's folders, `hooks.intend` is awaited (a marker
 * that the file is landing: ledger/intents.ts); it runs while the upload finishes.
 */
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import type { LandedRecord, QuarantinedRecord } from '../ledger/index.js';
import { partitionPath, type PartitionValues } from '../register/ddl.js';
import { HdfsTextWriter, NotTextError, readLines, sha256File, type Line } from './io.js';
import { GoodRows } from './goodRows.js';
import { CsvSource } from './source.js';
import { CsvScanner, isBlankLine, lineAt, READ_CHUNK, readLineBlocks } from './scan.js';
import {
  checkJsonLine,
  csvRowChecker,
  declarationFingerprint,
  eventTimePartition,
  hourPartition,
  joinCsv,
  mapHeader,
  spellings,
  splitCsv,
  type HeaderMapping,
} from './records.js';

export interface LocalFile {
  /** Absolute local path. */
  path: string;
  /** Path relative to the landing folder. */
  relPath: string;
  bytes: number;
  /** sha256; '' when it is computed from the same read that lands the file (CSV), then set. */
  checksum: string;
  /** 1 + the versions of this name landed before (set with the checksum). */
  version: number;
  /** The name its landed files are named after, when not its own (a landing finished under its first name). */
  landedAs?: string;
}

export interface LandHooks {
  /**
   * Called once the file passed its checks and its landed name is known, before anything is renamed
   * into the staging table's folders (awaited then, not before: it runs while the upload finishes).
   * A rejection fails the landing, and nothing is in place.
   */
  intend?: (file: LocalFile, ingestedAt: Date) => Promise<void>;
}

/**
 * For a file landed before its checksum was known: called once the checksum is, with the bytes
 * read. Returns the file's version, or null when those bytes were landed already (the file is
 * then skipped and what was uploaded deleted).
 */
export type Identify = (checksum: string, bytes: number) => number | null;

export type LandedFields = Omit<LandedRecord, 'v' | 'id' | 'source' | 'at'>;
export type QuarantinedFields = Omit<QuarantinedRecord, 'v' | 'id' | 'source' | 'at'>;

export type LandResult =
  | { status: 'landed'; records: LandedFields[] }
  | { status: 'quarantined'; record: QuarantinedFields }
  | { status: 'skipped'; checksum: string };

export interface Reject {
  line: number;
  /** Last line of a record that spans several. */
  to?: number;
  reason: string;
  raw: string;
}

const MAX_REJECT_RAW = 2000;

class Quarantine extends Error {}

export async function landFile(
  client: WebHdfsClient,
  declaration: LandingDeclaration,
  file: LocalFile,
  now: Date,
  identify?: Identify,
  hooks: LandHooks = {},
): Promise<LandResult> {
  try {
    if (!file.checksum && declaration.format !== 'csv' && !(await identifyByReading(file, identify)))
      return { status: 'skipped', checksum: file.checksum };
    return await landChecked(client, declaration, file, now, identify, hooks);
  } catch (error) {
    if (error instanceof Quarantine || error instanceof NotTextError) {
      if (!file.checksum && !(await identifyByReading(file, identify)))
        return { status: 'skipped', checksum: file.checksum };
      const reason = error.message;
      return { status: 'quarantined', record: await quarantine(client, declaration, file, reason, now) };
    }
    throw error;
  }
}

/** Sets the checksum, bytes and version of a file read for that alone; false when it is to be skipped. */
async function identifyByReading(file: LocalFile, identify: Identify | undefined): Promise<boolean> {
  const { checksum, bytes } = await sha256File(file.path);
  return setIdentity(file, checksum, bytes, identify);
}

function setIdentity(
  file: LocalFile,
  checksum: string,
  bytes: number,
  identify: Identify | undefined,
): boolean {
  if (!identify) throw new Error(`${file.relPath}: a file without a checksum needs identify()`);
  const version = identify(checksum, bytes);
  file.checksum = checksum;
  file.bytes = bytes;
  if (version === null) return false;
  file.version = version;
  return true;
}

/** The name a file's landed files are named after: its own, or the one its first landing used. */
export function landingName(file: LocalFile): string {
  return file.landedAs ?? basename(file.relPath);
}

function landedName(file: LocalFile): string {
  const name = landingName(file);
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}.${file.checksum.slice(0, 8)}${ext}`;
}

function tmpName(dir: string, name: string): string {
  return `${dir}/.${name}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`;
}

async function quarantine(
  client: WebHdfsClient,
  declaration: LandingDeclaration,
  file: LocalFile,
  reason: string,
  now: Date,
): Promise<QuarantinedFields> {
  const dir = `${declaration.lakePath}/_quarantine/${now.toISOString().slice(0, 10)}`;
  const name = landedName(file);
  const path = `${dir}/${name}`;
  if (!(await client.exists(path))) {
    const tmp = tmpName(dir, name);
    await client.create(tmp, createReadStream(file.path, { highWaterMark: 1 << 20 }));
    await client.rename(tmp, path);
  }
  const text = [
    `file: ${file.relPath}`,
    `source: ${declaration.sourceName}.${declaration.tableName} (${declaration.file})`,
    `sha256: ${file.checksum}`,
    `bytes: ${file.bytes}`,
    `at: ${now.toISOString()}`,
    `reason: ${reason}`,
    '',
  ].join('\n');
  await client.create(`${path}.reason.txt`, text, { overwrite: true });
  return {
    event: 'quarantined',
    source_file: basename(file.relPath),
    source_path: file.relPath,
    checksum: file.checksum,
    bytes: file.bytes,
    reason,
    path,
    declaration_fingerprint: declarationFingerprint(declaration),
  };
}

interface Output {
  partition: PartitionValues;
  dir: string;
  writer: HdfsTextWriter;
  rows: number;
}

async function landChecked(
  client: WebHdfsClient,
  declaration: LandingDeclaration,
  file: LocalFile,
  now: Date,
  identify: Identify | undefined,
  hooks: LandHooks,
): Promise<LandResult> {
  if (file.bytes === 0) throw new Quarantine('empty file');
  /** Temporary names are made before the checksum may be known; the final ones after. */
  const base = basename(file.relPath);
  const ingestion = hourPartition(now);
  const eventField = declaration.partitioning.kind === 'event_time' ? declaration.partitioning.field : null;
  const rejects: Reject[] = [];
  let rowsIn = 0;
  const csv = declaration.csv;
  const lookup = spellings(declaration.columns);

  // ---- CSV is read once, in chunks that feed both the upload of the original bytes and the
  // checks (as blocks of whole lines); JSON lines are read as strings, the upload reads its own.
  let mapping: HeaderMapping | null = null;
  let csvSource: CsvSource | null = null;
  let csvFirst: Buffer | null = null;
  let jsonLines: AsyncGenerator<Line[]> | null = null;
  let leadingBlank = false;
  if (declaration.format === 'csv') {
    if (!csv!.header)
      throw new Quarantine('CSV without a header line is not supported: declare csv: {header: true}');
    const source = new CsvSource(file.path, { hash: !file.checksum, size: file.bytes });
    try {
      const first = await source.firstBlock();
      if (!first) throw new Quarantine('empty file');
      const header = lineAt(first, 0);
      const fields = splitCsv(first.toString('utf8', 0, header.end), csv!.delimiter, csv!.quote);
      if (!fields) throw new Quarantine('the header line has an unclosed quote');
      const verdict = mapHeader(declaration, fields);
      if (!verdict.ok) throw new Quarantine(verdict.reason);
      mapping = verdict.mapping;
      csvFirst = first.subarray(header.next);
      csvSource = source;
    } catch (error) {
      await source.close();
      throw error;
    }
  } else {
    const batches = readLines(file.path);
    let firstBatch: Line[] = [];
    const takeFirst = async (): Promise<Line | null> => {
      while (!firstBatch.length) {
        const next = await batches.next();
        if (next.done) return null;
        firstBatch = next.value;
      }
      return firstBatch.shift()!;
    };
    let firstRecord = await takeFirst();
    while (firstRecord && !firstRecord[0].trim()) {
      leadingBlank = true;
      firstRecord = await takeFirst();
    }
    if (!firstRecord) throw new Quarantine('empty file');
    firstBatch.unshift(firstRecord);
    const probe = checkJsonLine(declaration, lookup, firstRecord[0]);
    if (!probe.ok && probe.notJson) {
      await batches.return(undefined);
      throw new Quarantine(`not JSON lines: line ${firstRecord[1]}: ${probe.reason}`);
    }
    jsonLines = (async function* (): AsyncGenerator<Line[]> {
      if (firstBatch.length) yield firstBatch;
      yield* batches;
    })();
  }

  // ---- The original bytes go up while the rows are checked. In raw mode they land as they are
  // (renamed into place once every row passed); otherwise they are kept for audit under _original.
  const raw = !eventField && (mapping === null || mapping.inDeclaredOrder);
  /** JSON in raw mode: a blank line or an aliased key means the bytes cannot land as they are. */
  let needsNormalizing = leadingBlank;
  const baseDir = `${declaration.lakePath}/${partitionPath(ingestion)}`;
  const originalDir = `${declaration.lakePath}/_original/${partitionPath(ingestion)}`;
  const uploadTmp = raw ? tmpName(baseDir, base) : tmpName(originalDir, base);
  const upload = csvSource
    ? csvSource.upload(client, uploadTmp)
    : client.create(uploadTmp, createReadStream(file.path, { highWaterMark: READ_CHUNK }));
  upload.catch(() => undefined);
  /** Stops the upload if it still runs, and deletes what it wrote. */
  const dropUpload = async (): Promise<void> => {
    csvSource?.abort();
    await upload.catch(() => undefined);
    await client.delete(uploadTmp).catch(() => undefined);
  };

  // ---- Normalized mode: good rows, declared order, one file per partition.
  const outputs = new Map<string, Output>();
  let ingestionOutput: Output | null = null;
  const normalizedHeader = declaration.columns.map((c) => c.name).join(csv?.delimiter ?? ',');
  const outputFor = (partition: PartitionValues): Output => {
    if (partition === ingestion && ingestionOutput) return ingestionOutput;
    const key = partitionPath(partition);
    let out = outputs.get(key);
    if (!out) {
      const dir = `${declaration.lakePath}/${key}`;
      out = { partition, dir, writer: new HdfsTextWriter(client, tmpName(dir, base)), rows: 0 };
      outputs.set(key, out);
      if (mapping) out.writer.write(`${normalizedHeader}\n`);
    }
    if (partition === ingestion) ingestionOutput = out;
    return out;
  };
  const eventIndex = eventField ? declaration.columns.findIndex((c) => c.name === eventField) : -1;

  try {
    if (mapping) {
      const scanner = CsvScanner.for(declaration, mapping);
      // Raw mode needs only verdicts: runs of certainly good rows are passed without the scanner.
      const goodRows = raw ? GoodRows.for(declaration, mapping) : null;
      const checker = csvRowChecker(declaration, mapping);
      let pending: { text: string; line: number } | null = null;
      /** One record on strings (records.ts): a record spanning lines, or a delimiter that is not ASCII. */
      const stringRecord = (line: string, lineNo: number): void => {
        let text = line;
        let start = lineNo;
        if (pending) {
          text = `${pending.text}\n${line}`;
          start = pending.line;
          pending = null;
        }
        if (!text.length) {
          rowsIn++;
          rejects.push({ line: lineNo, reason: 'empty line', raw: '' });
          return;
        }
        const fields = splitCsv(text, csv!.delimiter, csv!.quote);
        if (!fields) {
          pending = { text, line: start };
          return;
        }
        rowsIn++;
        if (start !== lineNo) {
          rejects.push({
            line: start,
            to: lineNo,
            reason: 'line break inside a quoted field (Hive reads one row per line)',
            raw: text.slice(0, MAX_REJECT_RAW),
          });
          return;
        }
        const problem = checker.check(fields);
        if (problem) {
          rejects.push({ line: lineNo, reason: problem, raw: text.slice(0, MAX_REJECT_RAW) });
          return;
        }
        if (raw) return;
        let partition: PartitionValues = ingestion;
        if (eventIndex >= 0) {
          const p = eventTimePartition(fields[mapping!.sourceIndex[eventIndex]!]);
          if (!p) {
            rejects.push({
              line: lineNo,
              reason: `${eventField} is not a time`,
              raw: text.slice(0, MAX_REJECT_RAW),
            });
            return;
          }
          partition = p;
        }
        const out = outputFor(partition);
        const ordered = mapping!.sourceIndex.map((s) => (s < 0 ? '' : fields[s]!));
        out.writer.write(`${joinCsv(ordered, csv!.delimiter, csv!.quote)}\n`);
        out.rows++;
      };

      let lineNo = 1;
      for await (const buf of csvSource!.blocks(csvFirst!)) {
        const len = buf.length;
        let pos = 0;
        while (pos < len) {
          if (goodRows && !pending && goodRows.skip(buf, pos)) {
            lineNo += goodRows.lines;
            rowsIn += goodRows.lines;
            pos = goodRows.next;
            continue;
          }
          lineNo++;
          const start = pos;
          if (pending || !scanner) {
            const line = lineAt(buf, pos);
            pos = line.next;
            stringRecord(buf.toString('utf8', start, line.end), lineNo);
            continue;
          }
          const closed = scanner.scan(buf, pos);
          pos = scanner.next;
          const end = scanner.lineEnd;
          if (end === start) {
            rowsIn++;
            rejects.push({ line: lineNo, reason: 'empty line', raw: '' });
            continue;
          }
          if (!closed) {
            pending = { text: buf.toString('utf8', start, end), line: lineNo };
            continue;
          }
          rowsIn++;
          const problem = scanner.check(buf);
          if (problem) {
            const text = buf.toString('utf8', start, end);
            rejects.push({ line: lineNo, reason: problem, raw: text.slice(0, MAX_REJECT_RAW) });
            continue;
          }
          if (raw) continue;
          let partition: PartitionValues = ingestion;
          if (eventIndex >= 0) {
            const source = mapping.sourceIndex[eventIndex]!;
            const p = eventTimePartition(source < 0 ? undefined : scanner.value(buf, source));
            if (!p) {
              const text = buf.toString('utf8', start, end);
              rejects.push({
                line: lineNo,
                reason: `${eventField} is not a time`,
                raw: text.slice(0, MAX_REJECT_RAW),
              });
              continue;
            }
            partition = p;
          }
          const out = outputFor(partition);
          scanner.encode(buf, mapping.sourceIndex, out.writer);
          out.rows++;
        }
        for (const out of outputs.values()) await out.writer.drain();
      }
      goodRows?.release(); // a file that fails on the way just does not give it back
      if (pending) {
        const last: { text: string; line: number } = pending;
        rowsIn++;
        rejects.push({
          line: last.line,
          reason: 'unclosed quote at the end of the file',
          raw: last.text.slice(0, MAX_REJECT_RAW),
        });
      }
    } else {
      for await (const batch of jsonLines!) {
        for (const [line, lineNo] of batch) {
          if (!line.trim()) {
            needsNormalizing = true; // blank lines in JSON lines are not records
            continue;
          }
          rowsIn++;
          const verdict = checkJsonLine(declaration, lookup, line);
          if (!verdict.ok) {
            rejects.push({ line: lineNo, reason: verdict.reason, raw: line.slice(0, MAX_REJECT_RAW) });
            continue;
          }
          if (raw) {
            if (verdict.renamed) needsNormalizing = true;
            continue;
          }
          let partition: PartitionValues = ingestion;
          if (eventField) {
            const p = eventTimePartition(verdict.value[eventField]);
            if (!p) {
              rejects.push({
                line: lineNo,
                reason: `${eventField} is not a time`,
                raw: line.slice(0, MAX_REJECT_RAW),
              });
              continue;
            }
            partition = p;
          }
          const out = outputFor(partition);
          out.writer.write(`${verdict.line}\n`);
          out.rows++;
        }
        for (const out of outputs.values()) await out.writer.drain();
      }
    }
  } catch (error) {
    for (const out of outputs.values()) out.writer.abort();
    await dropUpload();
    throw error;
  }

  if (!file.checksum) {
    const { checksum, bytes } = csvSource!.digest();
    if (!setIdentity(file, checksum, bytes, identify)) {
      for (const out of outputs.values()) out.writer.abort();
      await dropUpload();
      return { status: 'skipped', checksum };
    }
  }
  const name = landedName(file);

  const good = rowsIn - rejects.length;
  if (rowsIn > 0 && good === 0) {
    for (const out of outputs.values()) out.writer.abort();
    await dropUpload();
    throw new Quarantine(
      `every one of ${rowsIn} rows was rejected; first: line ${rejects[0]!.line}: ${rejects[0]!.reason}`,
    );
  }
  // From here the file lands: its marker goes out while the upload finishes, and is awaited before
  // the first rename.
  const intent = hooks.intend ? hooks.intend(file, now) : Promise.resolve();
  intent.catch(() => undefined);

  try {
    // The original bytes are kept whenever what lands differs from them.
    let originalPath: string | null = null;
    const keepOriginal = async (): Promise<void> => {
      originalPath = `${originalDir}/${name}`;
      await upload;
      if (await client.exists(originalPath)) {
        await client.delete(uploadTmp);
        return;
      }
      await client.mkdirs(originalDir);
      if (!(await client.rename(uploadTmp, originalPath)))
        throw new Error(`could not move ${uploadTmp} to ${originalPath}`);
    };

    if (raw) {
      await upload;
      if (rejects.length === 0 && !needsNormalizing) {
        const final = `${baseDir}/${name}`;
        await intent;
        await moveIntoPlace(client, uploadTmp, final);
        return {
          status: 'landed',
          records: [landedFields(file, ingestion, final, rowsIn, 0, file.bytes, null, null, false)],
        };
      }
      // Bad rows (or aliased JSON keys): write the good rows again, without the bad ones.
      const badLines = new Set<number>();
      for (const r of rejects) for (let l = r.line; l <= (r.to ?? r.line); l++) badLines.add(l);
      const out = outputFor(ingestion);
      if (mapping) {
        let lineNo = 0;
        for await (const buf of readLineBlocks(file.path)) {
          let pos = 0;
          while (pos < buf.length) {
            const start = pos;
            const { end, next } = lineAt(buf, pos);
            pos = next;
            if (++lineNo === 1 || badLines.has(lineNo) || isBlankLine(buf, start, end)) continue;
            const w = out.writer;
            w.room(end - start + 1);
            w.len += buf.copy(w.buf, w.len, start, end);
            w.buf[w.len++] = 10;
            out.rows++;
          }
          await out.writer.drain();
        }
      } else {
        for await (const batch of readLines(file.path)) {
          for (const [line, lineNo] of batch) {
            if (badLines.has(lineNo) || !line.trim()) continue;
            out.writer.write(`${(checkJsonLine(declaration, lookup, line) as { line: string }).line}\n`);
            out.rows++;
          }
          await out.writer.drain();
        }
      }
    }

    if (outputs.size === 0 && rowsIn === 0) outputFor(ingestion); // header only: land it, 0 rows
    await intent;
    await keepOriginal();
    const rejectsPath = rejects.length
      ? await writeRejects(client, declaration, ingestion, name, file, rejects)
      : null;
    const records: LandedFields[] = [];
    for (const out of outputs.values()) {
      const bytes = await out.writer.close();
      const final = `${out.dir}/${name}`;
      await moveIntoPlace(client, out.writer.path, final);
      records.push(
        landedFields(file, out.partition, final, out.rows, 0, bytes, originalPath, rejectsPath, true),
      );
    }
    // Rejected rows are counted once, on the first record of the file.
    records[0]!.rows_rejected = rejects.length;
    return { status: 'landed', records };
  } catch (error) {
    // Nothing half-written stays open: the temporary names are hidden and a later pass retries.
    for (const out of outputs.values()) out.writer.abort();
    throw error;
  }
}

async function moveIntoPlace(client: WebHdfsClient, tmp: string, final: string): Promise<void> {
  if (await client.rename(tmp, final)) return;
  // Same name means same checksum (it is in the name): a run that stopped before its ledger write.
  if (await client.exists(final)) {
    await client.delete(tmp);
    return;
  }
  throw new Error(`could not rename ${tmp} to ${final}`);
}

async function writeRejects(
  client: WebHdfsClient,
  declaration: LandingDeclaration,
  partition: PartitionValues,
  name: string,
  file: LocalFile,
  rejects: Reject[],
): Promise<string> {
  const path = `${declaration.lakePath}/_rejects/${partitionPath(partition)}/${name}.rejects.jsonl`;
  const text = rejects
    .map(
      (r) =>
        `${JSON.stringify({ file: file.relPath, line: r.line, ...(r.to ? { to_line: r.to } : {}), reason: r.reason, raw: r.raw })}\n`,
    )
    .join('');
  await client.create(path, text, { overwrite: true });
  return path;
}

function landedFields(
  file: LocalFile,
  partition: PartitionValues,
  path: string,
  rows: number,
  rowsRejected: number,
  landedBytes: number,
  originalPath: string | null,
  rejectsPath: string | null,
  normalized: boolean,
): LandedFields {
  return {
    event: 'landed',
    source_file: basename(file.relPath),
    source_path: file.relPath,
    checksum: file.checksum,
    version: file.version,
    rows,
    rows_rejected: rowsRejected,
    bytes: file.bytes,
    landed_bytes: landedBytes,
    partition,
    path,
    original_path: originalPath,
    rejects_path: rejectsPath,
    normalized,
  };
}

/**
 * RFC 4180 CSV for seeds: quoted fields, doubled quotes, delimiters and newlines inside quotes,
 * CRLF or LF, a UTF-8 BOM dropped. A malformed row is reported with the file and its line. Pure.
 */
import { QdbtError } from '../../errors.js';

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line on which each row starts (for later messages). */
  lines: number[];
}

export interface CsvOptions {
  /** Path shown in errors, relative to the project. */
  file: string;
  delimiter?: string;
}

function malformed(file: string, line: number, message: string, hint?: string): QdbtError {
  return new QdbtError('project', `malformed CSV: ${message}`, { location: { file, line }, hint });
}

/** Parse a whole CSV text; the first record is the header. */
export function parseCsv(text: string, options: CsvOptions): CsvTable {
  const { file } = options;
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new QdbtError(
      'project',
      `seed delimiter must be one character other than a quote or newline, not ${JSON.stringify(delimiter)}`,
      {
        location: { file },
      },
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const records: Array<{ fields: string[]; line: number }> = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;
  let atFieldStart = true;

  const endRecord = (): void => {
    fields.push(field);
    records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    atFieldStart = true;
  };

  while (i < n) {
    const ch = text[i]!;
    if (atFieldStart && ch === '"') {
      // Quoted field: runs to the closing quote; "" is a quote.
      const openLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      if (!closed)
        throw malformed(
          file,
          openLine,
          'a quoted field is never closed',
          'close the quote, or double a quote inside the field ("")',
        );
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw malformed(
          file,
          line,
          `unexpected ${JSON.stringify(next)} after a closing quote`,
          'a quote inside a quoted field must be doubled ("")',
        );
      }
      atFieldStart = false;
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += ch;
    atFieldStart = false;
    i++;
  }
  if (field !== '' || fields.length > 0 || !atFieldStart) endRecord();

  if (records.length === 0) throw malformed(file, 1, 'the file is empty; a seed needs a header row');
  const header = records[0]!.fields.map((h) => h.trim());
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === '') throw malformed(file, 1, `column ${index + 1} of the header has no name`);
    const key = name.toLowerCase();
    if (seen.has(key))
      throw malformed(
        file,
        1,
        `column name '${name}' appears twice in the header (Hive names are case-insensitive)`,
      );
    seen.set(key, index);
  });

  const rows: string[][] = [];
  const lines: number[] = [];
  for (const record of records.slice(1)) {
    // A blank line (one empty field) is skipped unless the seed has a single column.
    if (record.fields.length === 1 && record.fields[0] === '' && header.length > 1) continue;
    if (record.fields.length !== header.length) {
      throw malformed(
        file,
        record.line,
        `expected ${header.length} fields as in the header, found ${record.fields.length}`,
      );
    }
    rows.push(record.fields);
    lines.push(record.line);
  }
  return { header, rows, lines };
}

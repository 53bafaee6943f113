/**
 * Landing declarations: the raw `landing:` block of each source table in property YAML, validated
 * into a LandingDeclaration. Errors name the property file, the source.table and the key.
 *
 * ```yaml
 * landing:
 *   kind: batch                       # batch | stream (default: batch with files, stream with topic)
 *   files: 'sales_transactions_*.csv' # batch: glob on the file name (or the path below the landing folder)
 *   topic: app.events                 # stream: the Kafka topic
 *   format: csv                       # csv | json (JSON lines): the input
 *   file_format: parquet              # stream only: land Parquet files (default textfile: as the input)
 *   csv: {delimiter: ',', quote: '"', header: true}
 *   columns:
 *     - {name: customer_lname, type: string, required: true, aliases: [cusomter_lname]}
 *   partition_by: ingestion_time      # or {event_time: event_timestamp}
 *   lake_path: /lake/raw/raw/sales_transactions   # optional
 * ```
 */
import type { Manifest, SourceDefinition } from '../../manifest/types.js';
import { QdbtError, QdbtErrors } from '../../errors.js';
import type { LandingColumn, LandingDeclaration, LandingFileFormat, LandingPartitioning } from './types.js';

export interface DeclarationOptions {
  /** The lake's root folder in HDFS, e.g. `/lake`; raw data lands under `<lakeRoot>/raw/<source>/<table>`. */
  lakeRoot: string;
}

const KEYS = new Set([
  'kind',
  'files',
  'topic',
  'format',
  'file_format',
  'csv',
  'columns',
  'partition_by',
  'lake_path',
  'description',
]);
const COLUMN_KEYS = new Set(['name', 'type', 'required', 'aliases', 'description']);
const CSV_KEYS = new Set(['delimiter', 'quote', 'header']);
const PRIMITIVE =
  /^(string|varchar\(\d+\)|char\(\d+\)|tinyint|smallint|int|integer|bigint|float|double|decimal(\(\d+(,\s*\d+)?\))?|boolean|date|timestamp|binary)$/;
const COMPLEX = /^(array|map|struct)<.+>$/;
/** Column types the Parquet writer maps to a Parquet type Hive reads back as the declared type. */
const PARQUET_TYPES =
  /^(string|varchar\(\d+\)|char\(\d+\)|tinyint|smallint|int|integer|bigint|float|double|decimal(\(\d+(,\s*\d+)?\))?|boolean|date|timestamp)$/;
const IDENT = /^[a-z_][a-z0-9_]*$/;
const RESERVED_COLUMNS = new Set(['dt', 'hr']);

/** Every source table with a `landing:` block, validated. Throws QdbtErrors listing every problem. */
export function landingDeclarations(manifest: Manifest, options: DeclarationOptions): LandingDeclaration[] {
  const declarations: LandingDeclaration[] = [];
  const errors: QdbtError[] = [];
  const sources = Object.values(manifest.sources) as SourceDefinition[];
  for (const source of sources.sort((a, b) => a.unique_id.localeCompare(b.unique_id))) {
    if (!source.landing) continue;
    try {
      declarations.push(landingDeclaration(source, options));
    } catch (error) {
      if (error instanceof QdbtErrors) errors.push(...error.errors);
      else if (error instanceof QdbtError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new QdbtErrors(errors);
  const topics = new Map<string, string>();
  for (const d of declarations) {
    if (!d.topic) continue;
    const other = topics.get(d.topic);
    if (other)
      throw new QdbtError(
        'project',
        `${d.sourceName}.${d.tableName} and ${other} both read topic '${d.topic}'`,
        {
          location: { file: d.file },
          hint: 'Give each Kafka topic one landing declaration.',
        },
      );
    topics.set(d.topic, `${d.sourceName}.${d.tableName}`);
  }
  return declarations;
}

/** Finds one declaration by `source.table`, with a helpful error. */
export function findDeclaration(declarations: LandingDeclaration[], name: string): LandingDeclaration {
  const [source, table] = name.split('.');
  const found = declarations.find((d) => d.sourceName === source && d.tableName === table);
  if (!found)
    throw new QdbtError('usage', `No source table '${name}' has a landing: block`, {
      hint: `Known: ${declarations.map((d) => `${d.sourceName}.${d.tableName}`).join(', ') || 'none'}. Write --source <source>.<table>.`,
    });
  return found;
}

export function landingDeclaration(
  source: SourceDefinition,
  options: DeclarationOptions,
): LandingDeclaration {
  const file = source.patch_path?.replace(/^[^:]+:\/\//, '') ?? source.original_file_path;
  const where = `${source.source_name}.${source.name}`;
  const errors: QdbtError[] = [];
  const fail = (key: string, message: string, hint: string): void => {
    errors.push(
      new QdbtError('project', `landing of source ${where}: '${key}' ${message}`, {
        location: { file },
        hint,
      }),
    );
  };
  const raw = source.landing ?? {};
  for (const key of Object.keys(raw))
    if (!KEYS.has(key)) fail(key, 'is not a landing key', `Use one of: ${[...KEYS].join(', ')}.`);

  const files = optString(raw.files, 'files', fail);
  const topic = optString(raw.topic, 'topic', fail);
  let kind: 'batch' | 'stream' = topic && !files ? 'stream' : 'batch';
  if (raw.kind !== undefined) {
    if (raw.kind === 'batch' || raw.kind === 'stream') kind = raw.kind;
    else
      fail(
        'kind',
        `is '${String(raw.kind)}'`,
        "Write 'kind: batch' (files) or 'kind: stream' (Kafka topic).",
      );
  }
  if (kind === 'batch' && !files)
    fail(
      'files',
      'is missing',
      "A batch landing needs a file pattern, e.g. files: 'sales_transactions_*.csv'.",
    );
  if (kind === 'stream' && !topic)
    fail('topic', 'is missing', 'A stream landing needs a Kafka topic, e.g. topic: app.events.');
  if (kind === 'batch' && topic)
    fail('topic', 'is set on a batch landing', "Remove 'topic' or write 'kind: stream'.");
  if (kind === 'stream' && files)
    fail('files', 'is set on a stream landing', "Remove 'files' or write 'kind: batch'.");

  let format: 'csv' | 'json' = files && /\.jsonl?$|\.ndjson$/i.test(files) ? 'json' : 'csv';
  if (kind === 'stream') format = 'json';
  if (raw.format !== undefined) {
    if (raw.format === 'csv' || raw.format === 'json') format = raw.format;
    else fail('format', `is '${String(raw.format)}'`, "Write 'format: csv' or 'format: json' (JSON lines).");
  }

  let csv: LandingDeclaration['csv'] = null;
  if (format === 'csv') {
    csv = { delimiter: ',', quote: '"', header: true };
    if (raw.csv !== undefined && raw.csv !== null) {
      if (typeof raw.csv !== 'object' || Array.isArray(raw.csv))
        fail('csv', 'is not a mapping', "Write csv: {delimiter: ',', quote: '\"', header: true}.");
      else {
        const c = raw.csv as Record<string, unknown>;
        for (const key of Object.keys(c))
          if (!CSV_KEYS.has(key))
            fail(`csv.${key}`, 'is not a CSV option', 'Use delimiter, quote or header.');
        for (const key of ['delimiter', 'quote'] as const)
          if (c[key] !== undefined) {
            if (typeof c[key] === 'string' && c[key].length === 1) csv[key] = c[key];
            else
              fail(
                `csv.${key}`,
                'must be one character',
                `Write csv: {${key}: '${key === 'quote' ? '"' : ','}'}.`,
              );
          }
        if (c.header !== undefined) {
          if (typeof c.header === 'boolean') csv.header = c.header;
          else fail('csv.header', 'must be true or false', 'Write csv: {header: true}.');
        }
      }
    }
  } else if (raw.csv !== undefined)
    fail('csv', 'is set but the format is json', "Remove 'csv' or write 'format: csv'.");

  const columns = parseColumns(raw.columns, fail);

  let fileFormat: LandingFileFormat = 'textfile';
  if (raw.file_format !== undefined) {
    const value = typeof raw.file_format === 'string' ? raw.file_format.trim().toLowerCase() : '';
    if (value === 'textfile' || value === 'parquet') fileFormat = value;
    else
      fail(
        'file_format',
        `is ${JSON.stringify(raw.file_format)}`,
        "Write 'file_format: parquet' (Parquet files typed from the columns) or 'file_format: textfile' (the default: files as the input format).",
      );
  }
  if (fileFormat === 'parquet') {
    if (kind === 'batch')
      fail(
        'file_format',
        'is parquet on a batch landing',
        "Batch landings keep each file's own bytes (CSV, JSON lines): remove 'file_format', or convert in a model with file_format: parquet in its config.",
      );
    if (format !== 'json')
      fail(
        'file_format',
        `is parquet but the format is ${format}`,
        "Write 'format: json' (the events' format).",
      );
    for (const [i, column] of columns.entries())
      if (!PARQUET_TYPES.test(column.type))
        fail(
          `columns[${i}].type`,
          `is '${column.type}', which file_format: parquet does not write`,
          'Use string, varchar(n), char(n), tinyint, smallint, int, bigint, float, double, decimal(p,s), boolean, date or timestamp (or keep a nested value as string: it lands as its JSON text).',
        );
    for (const [i, column] of columns.entries()) {
      const decimal = /^decimal\((\d+)(?:,\s*(\d+))?\)$/.exec(column.type);
      if (
        decimal &&
        (Number(decimal[1]) < 1 || Number(decimal[1]) > 38 || Number(decimal[2] ?? 0) > Number(decimal[1]))
      )
        fail(
          `columns[${i}].type`,
          `is '${column.type}'`,
          'A decimal has a precision from 1 to 38 and a scale no larger than it, e.g. decimal(12,2).',
        );
    }
  }

  let partitioning: LandingPartitioning = { kind: 'ingestion_time' };
  const p = raw.partition_by;
  if (p === undefined) {
    if (kind === 'stream')
      fail(
        'partition_by',
        'is missing',
        'Write partition_by: ingestion_time or partition_by: {event_time: <field>}.',
      );
  } else if (p === 'ingestion_time') partitioning = { kind: 'ingestion_time' };
  else if (
    p &&
    typeof p === 'object' &&
    !Array.isArray(p) &&
    typeof (p as Record<string, unknown>).event_time === 'string'
  ) {
    const field = (p as Record<string, string>).event_time!;
    partitioning = { kind: 'event_time', field };
    if (!columns.some((c) => c.name === field))
      fail(
        'partition_by.event_time',
        `names '${field}', which is not a declared column`,
        `Add '${field}' to columns (type timestamp or string).`,
      );
  } else
    fail(
      'partition_by',
      `is ${JSON.stringify(p)}`,
      'Write partition_by: ingestion_time or partition_by: {event_time: <field>}.',
    );

  let lakePath = `${options.lakeRoot.replace(/\/+$/, '')}/raw/${source.source_name}/${source.name}`;
  if (raw.lake_path !== undefined) {
    if (typeof raw.lake_path === 'string' && raw.lake_path.startsWith('/') && !/\s/.test(raw.lake_path))
      lakePath = raw.lake_path.replace(/\/+$/, '');
    else
      fail(
        'lake_path',
        'must be an absolute HDFS path',
        'Write lake_path: /lake/raw/<source>/<table>, or leave it out.',
      );
  }

  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new QdbtErrors(errors);
  return {
    uniqueId: source.unique_id,
    sourceName: source.source_name,
    tableName: source.name,
    kind,
    filePattern: kind === 'batch' ? files : null,
    topic: kind === 'stream' ? topic : null,
    format,
    csv,
    fileFormat,
    columns,
    partitioning,
    lakePath,
    stagingTable: { schema: source.schema, name: source.identifier },
    file,
  };
}

type Fail = (key: string, message: string, hint: string) => void;

function optString(value: unknown, key: string, fail: Fail): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim()) return value.trim();
  fail(key, 'must be a non-empty string', `Write ${key}: <text>.`);
  return null;
}

function parseColumns(value: unknown, fail: Fail): LandingColumn[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      'columns',
      'is missing or empty',
      'List the expected columns: columns: [{name: id, type: bigint, required: true}].',
    );
    return [];
  }
  const columns: LandingColumn[] = [];
  const seen = new Map<string, string>();
  value.forEach((entry, i) => {
    const key = `columns[${i}]`;
    const item = typeof entry === 'string' ? { name: entry } : entry;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      fail(key, 'is not a mapping', 'Write {name: <column>, type: <hive type>}.');
      return;
    }
    const c = item as Record<string, unknown>;
    for (const k of Object.keys(c))
      if (!COLUMN_KEYS.has(k))
        fail(`${key}.${k}`, 'is not a column key', 'Use name, type, required, aliases, description.');
    const name = typeof c.name === 'string' ? c.name.trim().toLowerCase() : '';
    if (!IDENT.test(name)) {
      fail(
        `${key}.name`,
        `is ${JSON.stringify(c.name)}`,
        'Column names are lower-case identifiers (letters, digits, _).',
      );
      return;
    }
    if (RESERVED_COLUMNS.has(name))
      fail(`${key}.name`, `'${name}' is a partition column of every staging table`, 'Rename the column.');
    const type =
      c.type === undefined ? 'string' : typeof c.type === 'string' ? c.type.trim().toLowerCase() : '';
    if (!PRIMITIVE.test(type) && !COMPLEX.test(type))
      fail(
        `${key}.type`,
        `is ${JSON.stringify(c.type)}`,
        'Use a Hive type: string, bigint, int, double, decimal(12,2), boolean, date, timestamp, ...',
      );
    let required = false;
    if (c.required !== undefined) {
      if (typeof c.required === 'boolean') required = c.required;
      else fail(`${key}.required`, 'must be true or false', 'Write required: true.');
    }
    let aliases: string[] = [];
    if (c.aliases !== undefined) {
      if (Array.isArray(c.aliases) && c.aliases.every((a) => typeof a === 'string' && a.trim()))
        aliases = (c.aliases as string[]).map((a) => a.trim().toLowerCase());
      else fail(`${key}.aliases`, 'must be a list of names', `Write aliases: [${name}_misspelled].`);
    }
    for (const spelling of [name, ...aliases]) {
      const owner = seen.get(spelling);
      if (owner)
        fail(
          `${key}`,
          `spelling '${spelling}' also names column '${owner}'`,
          'Each header spelling may map to one column only.',
        );
      seen.set(spelling, name);
    }
    columns.push({ name, type, required, aliases });
  });
  return columns;
}

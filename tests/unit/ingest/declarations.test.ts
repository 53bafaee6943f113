import { afterEach, describe, expect, it } from 'vitest';
import { QdbtError, QdbtErrors } from '../../../src/errors.js';
import { findDeclaration, landingDeclarations } from '../../../src/ingest/landing/declarations.js';
import { createStagingTableSql, addPartitionSql } from '../../../src/ingest/register/ddl.js';
import { storedAsParquet } from '../../../src/ingest/register/index.js';
import { loadProject } from '../../../src/project/loadProject.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function declarationsOf(sourcesYml: string) {
  const fixture = writeFixture({ 'models/sources.yml': sourcesYml });
  cleanups.push(fixture.cleanup);
  const project = loadProject({ projectDir: fixture.dir });
  return landingDeclarations(project.parsed.manifest, { lakeRoot: '/lake/' });
}

function errorsOf(sourcesYml: string): QdbtError[] {
  try {
    declarationsOf(sourcesYml);
  } catch (error) {
    if (error instanceof QdbtErrors) return error.errors;
    if (error instanceof QdbtError) return [error];
    throw error;
  }
  throw new Error('expected an error');
}

const source = (landing: string) => `version: 2
sources:
  - name: raw
    schema: lake_raw
    tables:
      - name: tx
        landing:
${landing
  .split('\n')
  .map((l) => `          ${l}`)
  .join('\n')}
`;

describe('landing declarations', () => {
  it("reads Q Company's sources.yml", () => {
    const project = loadProject({ projectDir: process.cwd() });
    const declarations = landingDeclarations(project.parsed.manifest, { lakeRoot: '/lake' });
    const names = declarations.map((d) => `${d.sourceName}.${d.tableName}:${d.kind}`);
    expect(names).toEqual([
      'app.events:stream',
      'raw.branches:batch',
      'raw.sales_agents:batch',
      'raw.sales_transactions:batch',
    ]);
    const tx = findDeclaration(declarations, 'raw.sales_transactions');
    expect(tx.filePattern).toBe('sales_transactions_*.csv');
    expect(tx.lakePath).toBe('/lake/raw/raw/sales_transactions');
    expect(tx.stagingTable).toEqual({ schema: 'qcompany_raw', name: 'sales_transactions' });
    expect(tx.columns.find((c) => c.name === 'customer_lname')?.aliases).toEqual(['cusomter_lname']);
    expect(tx.file).toBe('models/staging/sources.yml');
    const events = findDeclaration(declarations, 'app.events');
    expect(events).toMatchObject({ topic: 'app.events', format: 'json', csv: null });
    expect(events.partitioning).toEqual({ kind: 'event_time', field: 'event_timestamp' });
  });

  it('fills defaults', () => {
    const [d] = declarationsOf(
      source(`files: 'tx_*.csv'\ncolumns: [id, {name: Amount, type: 'DECIMAL(12,2)'}]`),
    );
    expect(d).toMatchObject({
      kind: 'batch',
      format: 'csv',
      csv: { delimiter: ',', quote: '"', header: true },
      partitioning: { kind: 'ingestion_time' },
      fileFormat: 'textfile',
      lakePath: '/lake/raw/raw/tx',
      columns: [
        { name: 'id', type: 'string', required: false, aliases: [] },
        { name: 'amount', type: 'decimal(12,2)', required: false, aliases: [] },
      ],
    });
  });

  it('names the file, the source.table and the key in every error', () => {
    const errors = errorsOf(
      source(
        `kind: batch\nformat: xml\ncolumns:\n  - {name: id, type: text}\n  - {name: dt}\n  - {name: b, aliases: [id]}\npartition_by: {event_time: ts}\nlake_path: relative/path\nbogus: 1`,
      ),
    );
    const text = errors.map((e) => e.format());
    expect(text.every((t) => t.startsWith('models/sources.yml: landing of source raw.tx:'))).toBe(true);
    const keys = errors.map((e) => /'([^']+)'/.exec(e.message.split(':').slice(1).join(':'))?.[1]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'bogus',
        'files',
        'format',
        'columns[0].type',
        'columns[1].name',
        'columns[2]',
        'partition_by.event_time',
        'lake_path',
      ]),
    );
    expect(errors.every((e) => e.hint)).toBe(true);
  });

  it('file_format: parquet lands a stream as Parquet; batch, CSV and unmapped types are refused', () => {
    const stream = (
      extra: string,
      columns = "[{name: ts, type: timestamp}, {name: amount, type: 'decimal(12,2)'}]",
    ) => source(`kind: stream\ntopic: t\ncolumns: ${columns}\npartition_by: {event_time: ts}\n${extra}`);
    const [d] = declarationsOf(stream('file_format: Parquet'));
    expect(d).toMatchObject({ kind: 'stream', format: 'json', fileFormat: 'parquet' });

    const messages = (yml: string) => errorsOf(yml).map((e) => `${e.message} | ${e.hint}`);
    expect(messages(stream('file_format: orc'))).toEqual([
      expect.stringMatching(
        /^landing of source raw\.tx: 'file_format' is "orc" \| Write 'file_format: parquet'/,
      ),
    ]);
    expect(messages(source(`files: 'tx_*.csv'\nformat: csv\nfile_format: parquet\ncolumns: [id]`))).toEqual([
      expect.stringMatching(
        /'file_format' is parquet on a batch landing \| Batch landings keep each file's own bytes/,
      ),
      expect.stringMatching(/'file_format' is parquet but the format is csv/),
    ]);
    expect(
      messages(
        stream(
          'file_format: parquet',
          "[{name: ts, type: timestamp}, {name: tags, type: array<string>}, {name: d, type: 'decimal(40,2)'}]",
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /'columns\[1\]\.type' is 'array<string>', which file_format: parquet does not write \| Use string/,
      ),
      expect.stringMatching(
        /'columns\[2\]\.type' is 'decimal\(40,2\)' \| A decimal has a precision from 1 to 38/,
      ),
    ]);
    expect(errorsOf(stream('file_format: orc'))[0]!.format()).toMatch(/^models\/sources\.yml: /);
  });

  it('stream declarations need a topic and a partitioning', () => {
    const errors = errorsOf(source(`kind: stream\ncolumns: [id]`));
    expect(errors.map((e) => e.message)).toEqual([
      "landing of source raw.tx: 'topic' is missing",
      "landing of source raw.tx: 'partition_by' is missing",
    ]);
  });
});

describe('staging table DDL', () => {
  const [csv] = declarationsOf(
    source(`files: 'tx_*.csv'\ncolumns: [{name: id, type: bigint, required: true}, name]`),
  );
  const hive = { supportsSkipHeaderLine: true, supportsHiveJsonSerde: true };
  const spark = { supportsSkipHeaderLine: false, supportsHiveJsonSerde: false };

  it('CSV on Hive: OpenCSVSerde, all string, header skipped, partitioned by dt/hr', () => {
    expect(createStagingTableSql(csv!, hive)).toMatchInlineSnapshot(`
      "CREATE EXTERNAL TABLE IF NOT EXISTS \`lake_raw\`.\`tx\` (
        \`id\` string COMMENT 'bigint, required',
        \`name\` string COMMENT 'string'
      )
      COMMENT 'landed by qdbt ingest (batch) from models/sources.yml'
      PARTITIONED BY (\`dt\` string, \`hr\` string)
      ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
      WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"', 'escapeChar' = '\\\\')
      STORED AS TEXTFILE
      LOCATION '/lake/raw/raw/tx'
      TBLPROPERTIES ('skip.header.line.count' = '1', 'qdbt.landing' = 'source.fixture.raw.tx')"
    `);
  });

  it('CSV on Spark: its own CSV source', () => {
    expect(createStagingTableSql(csv!, spark)).toMatchInlineSnapshot(`
      "CREATE TABLE IF NOT EXISTS \`lake_raw\`.\`tx\` (
        \`id\` string COMMENT 'bigint, required',
        \`name\` string COMMENT 'string',
        \`dt\` string,
        \`hr\` string
      )
      USING csv
      OPTIONS (header 'true', sep ',', quote '"', escape '"')
      PARTITIONED BY (\`dt\`, \`hr\`)
      COMMENT 'landed by qdbt ingest (batch) from models/sources.yml'
      LOCATION '/lake/raw/raw/tx'"
    `);
  });

  it('Parquet streams: STORED AS PARQUET on Hive, USING parquet on Spark, declared types kept', () => {
    const [events] = declarationsOf(
      source(
        `kind: stream\ntopic: t\nfile_format: parquet\ncolumns: [{name: ts, type: timestamp, required: true}, {name: n, type: bigint}, {name: amount, type: 'decimal(12,2)'}, {name: day, type: date}]\npartition_by: {event_time: ts}`,
      ),
    );
    expect(createStagingTableSql(events!, hive)).toMatchInlineSnapshot(`
      "CREATE EXTERNAL TABLE IF NOT EXISTS \`lake_raw\`.\`tx\` (
        \`ts\` timestamp COMMENT 'timestamp, required',
        \`n\` bigint COMMENT 'bigint',
        \`amount\` decimal(12,2) COMMENT 'decimal(12,2)',
        \`day\` date COMMENT 'date'
      )
      COMMENT 'landed by qdbt ingest (stream) from models/sources.yml'
      PARTITIONED BY (\`dt\` string, \`hr\` string)
      STORED AS PARQUET
      LOCATION '/lake/raw/raw/tx'
      TBLPROPERTIES ('qdbt.landing' = 'source.fixture.raw.tx')"
    `);
    expect(createStagingTableSql(events!, spark)).toMatchInlineSnapshot(`
      "CREATE TABLE IF NOT EXISTS \`lake_raw\`.\`tx\` (
        \`ts\` timestamp COMMENT 'timestamp, required',
        \`n\` bigint COMMENT 'bigint',
        \`amount\` decimal(12,2) COMMENT 'decimal(12,2)',
        \`day\` date COMMENT 'date',
        \`dt\` string,
        \`hr\` string
      )
      USING parquet
      PARTITIONED BY (\`dt\`, \`hr\`)
      COMMENT 'landed by qdbt ingest (stream) from models/sources.yml'
      LOCATION '/lake/raw/raw/tx'"
    `);
  });

  it("tells a Parquet staging table from DESCRIBE FORMATTED (Hive's InputFormat, Spark's Provider)", () => {
    const hiveRows = (format: string) => [
      ['# Storage Information', null, null],
      ['SerDe Library:      ', 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', null],
      ['InputFormat:        ', format, null],
    ];
    expect(storedAsParquet(hiveRows('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'))).toBe(
      true,
    );
    expect(storedAsParquet(hiveRows('org.apache.hadoop.mapred.TextInputFormat'))).toBe(false);
    expect(storedAsParquet([['Provider', 'json', '']])).toBe(false);
    expect(storedAsParquet([['Provider', 'parquet', '']])).toBe(true);
    expect(storedAsParquet([['col', 'string', '']])).toBeNull();
  });

  it('partitions', () => {
    expect(
      addPartitionSql(csv!, { dt: '2024-01-05', hr: '07' }, '/lake/raw/raw/tx/dt=2024-01-05/hr=07'),
    ).toBe(
      "ALTER TABLE `lake_raw`.`tx` ADD IF NOT EXISTS PARTITION (`dt` = '2024-01-05', `hr` = '07') LOCATION '/lake/raw/raw/tx/dt=2024-01-05/hr=07'",
    );
  });
});

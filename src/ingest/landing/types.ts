/**
 * An ingestion declaration: the `landing:` block of a source table in property YAML, validated.
 * One declaration serves the ingestors, `source()` in models, freshness and the lineage docs.
 */

export interface LandingColumn {
  /** Canonical name, as models read it. */
  name: string;
  /** Hive type of the staging table column, e.g. `string`, `bigint`, `decimal(12,2)`, `timestamp`. */
  type: string;
  /** A file (or event) without it is rejected. */
  required: boolean;
  /** Other spellings seen in raw files (`cusomter_lname` for `customer_lname`), matched case-insensitively. */
  aliases: string[];
}

export type LandingPartitioning =
  /** `dt=YYYY-MM-DD/hr=HH` of the time the file or event was landed. */
  | { kind: 'ingestion_time' }
  /** `dt=.../hr=...` from a field of the record (events: their timestamp). */
  | { kind: 'event_time'; field: string };

/**
 * How landed data files are stored: `textfile` keeps the input format (CSV, JSON lines); `parquet`
 * (streams only) writes Parquet files typed from the columns. Hive's STORED AS, dbt's file_format.
 */
export type LandingFileFormat = 'textfile' | 'parquet';

export interface LandingDeclaration {
  /** `source.<project>.<source>.<table>`. */
  uniqueId: string;
  sourceName: string;
  tableName: string;
  kind: 'batch' | 'stream';
  /** batch: a glob relative to the landing folder, e.g. `sales_transactions_*.csv`. */
  filePattern: string | null;
  /** stream: the Kafka topic. */
  topic: string | null;
  format: 'csv' | 'json';
  csv: { delimiter: string; quote: string; header: boolean } | null;
  fileFormat: LandingFileFormat;
  columns: LandingColumn[];
  partitioning: LandingPartitioning;
  /** Where raw data lands in HDFS, e.g. `/lake/raw/raw/sales_transactions`. */
  lakePath: string;
  /** The external staging table registered over lakePath (the source's schema and identifier). */
  stagingTable: { schema: string; name: string };
  /** The property file that declares it, for errors. */
  file: string;
}

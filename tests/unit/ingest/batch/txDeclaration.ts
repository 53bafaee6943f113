/** The batch declaration the pass tests land: `tx_*.csv` with a required id and an int. */
import type { LandingColumn, LandingDeclaration } from '../../../../src/ingest/landing/types.js';

export const txDeclaration = {
  kind: 'batch',
  format: 'csv',
  csv: { delimiter: ',', quote: '"', header: true },
  filePattern: 'tx_*.csv',
  columns: [
    { name: 'id', type: 'string', required: true, aliases: [] },
    { name: 'units', type: 'int', required: false, aliases: [] },
  ] as LandingColumn[],
  sourceName: 'raw',
  tableName: 'tx',
  uniqueId: 'source.p.raw.tx',
  file: 'models/sources.yml',
  lakePath: '/lake/raw/tx',
  stagingTable: { schema: 'staging', name: 'tx' },
  partitioning: { kind: 'ingestion_time' },
} as unknown as LandingDeclaration;

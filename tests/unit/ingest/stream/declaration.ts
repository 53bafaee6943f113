import type { LandingDeclaration } from '../../../../src/ingest/landing/types.js';

/** The shape of the app.events declaration in models/staging/sources.yml. */
export function eventsDeclaration(): LandingDeclaration {
  const col = (name: string, type: string, required = false, aliases: string[] = []) => ({
    name,
    type,
    required,
    aliases,
  });
  return {
    uniqueId: 'source.qcompany.app.events',
    sourceName: 'app',
    tableName: 'events',
    kind: 'stream',
    filePattern: null,
    topic: 'app.events',
    format: 'json',
    csv: null,
    fileFormat: 'textfile',
    columns: [
      col('event_id', 'string', true, ['eventid']),
      col('event_type', 'string', true, ['eventtype']),
      col('event_timestamp', 'timestamp', true, ['timestamp', 'eventtime']),
      col('customer_id', 'bigint', false, ['customerid']),
      col('session_id', 'string', false, ['sessionid']),
      col('product_id', 'string', false, ['productid']),
      col('metadata', 'string'),
      col('amount', 'decimal(6,2)'),
      col('flag', 'boolean'),
    ],
    partitioning: { kind: 'event_time', field: 'event_timestamp' },
    lakePath: '/lake/raw/app/events',
    stagingTable: { schema: 'qcompany_raw', name: 'events' },
    file: 'models/staging/sources.yml',
  };
}

import { describe, expect, it } from 'vitest';
import { capabilitiesFrom, detectCapabilities } from '../../../src/adapters/hive/capabilities.js';

const HIVE = { dbmsName: 'Apache Hive', dbmsVersion: '4.0.1', serverName: 'Hive' };
const SPARK = { dbmsName: 'Spark SQL', dbmsVersion: '3.5.4', serverName: 'Spark SQL' };
const KYUUBI = { dbmsName: 'Spark SQL', dbmsVersion: '3.5.4', serverName: 'Apache Kyuubi' };

describe('capabilitiesFrom', () => {
  it('genuine Hive with DbTxnManager: merge and ACID', () => {
    const c = capabilitiesFrom({
      info: HIVE,
      txnManager: 'hive.txn.manager=org.apache.hadoop.hive.ql.lockmgr.DbTxnManager',
    });
    expect(c).toEqual({
      engine: 'hive',
      version: '4.0.1',
      supportsMerge: true,
      supportsAcid: true,
      supportsSkipHeaderLine: true,
      supportsHiveJsonSerde: true,
      supportsRenameTable: true,
      supportsAnalyze: true,
      supportsColumnComments: true,
      canWriteTransactional: true,
      supportsStoredAs: true,
    });
  });

  it('Hive without DbTxnManager: no merge, no ACID', () => {
    const c = capabilitiesFrom({
      info: HIVE,
      txnManager: 'hive.txn.manager=org.apache.hadoop.hive.ql.lockmgr.DummyTxnManager',
    });
    expect(c).toMatchObject({
      engine: 'hive',
      supportsMerge: false,
      supportsAcid: false,
      supportsSkipHeaderLine: true,
    });
  });

  it('Spark Thrift Server: no merge, no skip-header, no Hive JsonSerDe, no writes to ACID tables', () => {
    expect(capabilitiesFrom({ info: SPARK })).toMatchObject({
      engine: 'spark',
      version: '3.5.4',
      supportsMerge: false,
      supportsAcid: false,
      supportsSkipHeaderLine: false,
      supportsHiveJsonSerde: false,
      canWriteTransactional: false,
      supportsRenameTable: true,
    });
  });

  it('Kyuubi is named as such and behaves as the engine behind it', () => {
    expect(capabilitiesFrom({ info: KYUUBI })).toMatchObject({
      engine: 'kyuubi',
      supportsMerge: false,
      canWriteTransactional: false,
    });
  });

  it('version from SELECT version() when GetInfo has none', () => {
    const c = capabilitiesFrom({
      info: { ...HIVE, dbmsVersion: '' },
      versionFunction: '4.0.1 r3af4517eb8cfd9407ad34ed78a0b48b57dfaa264',
    });
    expect(c.version).toBe('4.0.1');
  });

  it('an unknown server gets the careful flags', () => {
    expect(
      capabilitiesFrom({ info: { dbmsName: 'Impala', dbmsVersion: '4', serverName: '' } }),
    ).toMatchObject({
      engine: 'unknown',
      supportsMerge: false,
      canWriteTransactional: false,
      supportsStoredAs: false,
    });
  });
});

describe('detectCapabilities', () => {
  it('asks Hive for its transaction manager, Spark nothing beyond GetInfo', async () => {
    const asked: string[] = [];
    const probe = (info: typeof HIVE) => ({
      serverInfo: async () => info,
      ask: async (sql: string) => {
        asked.push(sql);
        return [['hive.txn.manager=org.apache.hadoop.hive.ql.lockmgr.DbTxnManager']];
      },
    });
    expect((await detectCapabilities(probe(HIVE))).supportsMerge).toBe(true);
    expect(asked).toEqual(['SET hive.txn.manager']);
    asked.length = 0;
    expect((await detectCapabilities(probe(SPARK))).supportsMerge).toBe(false);
    expect(asked).toEqual([]);
  });
});

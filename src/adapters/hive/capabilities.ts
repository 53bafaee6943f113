/**
 * Engine differences as flags, detected at connect time by asking the server: GetInfo's DBMS name
 * and version (`Apache Hive` / `Spark SQL`, Kyuubi in the server name), and on genuine Hive the
 * transaction manager (`SET hive.txn.manager`): MERGE and ACID need DbTxnManager.
 */
import type { AdapterCapabilities, EngineName } from '../types.js';
import type { ServerInfo } from './session.js';

/** The answers detection needs; `ask` runs one statement and returns its rows. */
export interface CapabilityProbe {
  serverInfo(): Promise<ServerInfo>;
  ask(sql: string): Promise<unknown[][]>;
}

export interface ServerAnswers {
  info: ServerInfo;
  /** `SET hive.txn.manager` output (Hive only): `hive.txn.manager=org....DbTxnManager`. */
  txnManager?: string | null;
  /** `SELECT version()` output when GetInfo had no version: `4.0.1 r3af45...`. */
  versionFunction?: string | null;
}

/** Which engine family a server belongs to, from what it says about itself. */
export function engineOf(info: ServerInfo): { engine: EngineName; family: 'hive' | 'spark' | 'unknown' } {
  const dbms = info.dbmsName.toLowerCase();
  const server = info.serverName.toLowerCase();
  const family = dbms.includes('spark') ? 'spark' : dbms.includes('hive') ? 'hive' : 'unknown';
  if (server.includes('kyuubi') || dbms.includes('kyuubi')) return { engine: 'kyuubi', family };
  return { engine: family, family };
}

/** Flags from the server's answers. Pure: unit tests feed canned answers. */
export function capabilitiesFrom(answers: ServerAnswers): AdapterCapabilities {
  const { engine, family } = engineOf(answers.info);
  const version = cleanVersion(answers.info.dbmsVersion || answers.versionFunction || '');
  const hive = family === 'hive';
  const acid = hive && /DbTxnManager/.test(answers.txnManager ?? '');
  return {
    engine,
    version,
    supportsMerge: acid,
    supportsAcid: acid,
    supportsSkipHeaderLine: hive,
    supportsHiveJsonSerde: hive,
    supportsRenameTable: family !== 'unknown',
    supportsAnalyze: family !== 'unknown',
    supportsColumnComments: family !== 'unknown',
    // Spark writing into a transactional table corrupts it for Hive; unknown engines: refuse too.
    canWriteTransactional: hive,
    supportsStoredAs: family !== 'unknown',
  };
}

/** Asks the server what detection needs (GetInfo, plus one `SET` on Hive). */
export async function detectCapabilities(probe: CapabilityProbe): Promise<AdapterCapabilities> {
  const info = await probe.serverInfo();
  const { family } = engineOf(info);
  const answers: ServerAnswers = { info };
  if (!info.dbmsVersion) {
    const rows = await probe.ask('SELECT version()').catch(() => []);
    answers.versionFunction = rows[0]?.[0] === undefined ? null : String(rows[0][0]);
  }
  if (family === 'hive') {
    const rows = await probe.ask('SET hive.txn.manager').catch(() => []);
    answers.txnManager = rows.map((r) => r.map(String).join('=')).join('\n');
  }
  return capabilitiesFrom(answers);
}

/** `4.0.1 r3af4517e...` → `4.0.1`. */
function cleanVersion(text: string): string {
  return text.trim().split(/\s+/, 1)[0] ?? '';
}

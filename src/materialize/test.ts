/**
 * Data tests (generic and singular): one query counts the failing rows with fail_calc and judges
 * them with warn_if / error_if; store_failures keeps the failing rows in an audit table first.
 */
import type { CellValue } from '../adapters/types.js';
import { QdbtError } from '../errors.js';
import type { NodeSession } from './session.js';
import { bareStatement, dropTable, rel, testResultQuery } from './sql.js';
import type { TableRef } from './sql.js';
import type { NodeOutcome } from './types.js';

export interface TestSettings {
  severity: 'error' | 'warn';
  warnIf: string;
  errorIf: string;
  failCalc: string;
  limit: number | null;
  storeFailures: boolean;
}

const CONDITION = /^\s*(==|=|!=|<>|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

export function testSettings(session: NodeSession): TestSettings {
  const { node } = session;
  const config = node.config;
  const fail = (message: string): QdbtError =>
    new QdbtError('project', `test '${node.name}': ${message}`, {
      location: { file: node.original_file_path },
    });
  const severity = String(config.severity ?? 'error').toLowerCase();
  if (severity !== 'error' && severity !== 'warn')
    throw fail(`severity must be 'error' or 'warn', not '${severity}'`);
  const condition = (key: 'warn_if' | 'error_if'): string => {
    const value = String(config[key] ?? '!= 0');
    const match = CONDITION.exec(value);
    if (!match)
      throw fail(`${key} must be a comparison with a number such as '!= 0' or '>10', not '${value}'`);
    return `${match[1] === '==' ? '=' : match[1]} ${match[2]}`;
  };
  let limit: number | null = null;
  if (config.limit !== undefined && config.limit !== null) {
    limit = Number(config.limit);
    if (!Number.isInteger(limit) || limit < 0) throw fail(`limit must be a whole number`);
  }
  const failCalc = String(config.fail_calc ?? 'count(*)').trim() || 'count(*)';
  return {
    severity,
    warnIf: condition('warn_if'),
    errorIf: condition('error_if'),
    failCalc,
    limit,
    storeFailures: config.store_failures === true || config.store_failures === 'true',
  };
}

const AUDIT_SUFFIX = '_dbt_test__audit';

/**
 * dbt's audit schema: `<schema>_dbt_test__audit` unless the test names its own schema. The parser
 * already gives generic tests that schema: never append the suffix twice.
 */
export function auditTable(session: NodeSession): TableRef {
  const { node } = session;
  const custom = typeof node.config.schema === 'string' && node.config.schema !== '';
  const schema = custom || node.schema.endsWith(AUDIT_SUFFIX) ? node.schema : `${node.schema}${AUDIT_SUFFIX}`;
  return { schema, name: node.alias };
}

function toNumber(value: CellValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

function toBoolean(value: CellValue | undefined): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  return false;
}

export async function materializeTest(session: NodeSession): Promise<NodeOutcome> {
  const { node, ctx } = session;
  const settings = testSettings(session);
  let sql = node.compiled_code ?? '';
  if (sql.trim() === '') throw new QdbtError('runtime', `test '${node.name}' has no compiled SQL`);

  if (settings.storeFailures) {
    const audit = auditTable(session);
    await ctx.adapter.createSchemaIfMissing(audit.schema);
    await session.run(dropTable(audit));
    await session.run(storeFailuresStatement(audit, sql));
    session.invalidate(audit);
    sql = `select * from ${rel(audit)}`;
  }

  const result = await session.run(testResultQuery(sql, settings), { maxRows: 1 });
  const row = result.rows[0] ?? [];
  const failures = toNumber(row[0]);
  const shouldWarn = toBoolean(row[1]);
  const shouldError = toBoolean(row[2]);

  let status: NodeOutcome['status'] = 'pass';
  if (settings.severity === 'error' && shouldError) status = 'fail';
  else if (shouldWarn) status = 'warn';
  const message = status === 'pass' ? 'PASS' : `${status.toUpperCase()} ${failures}`;
  return {
    status,
    message,
    rowsAffected: null,
    failures,
    adapterResponse: {
      _message: message,
      code: 'SELECT',
      rows_affected: null,
      statements: session.statements,
    },
  };
}

/** CTAS of the failing rows, stored as parquet like any model table. */
export function storeFailuresStatement(audit: TableRef, sql: string): string {
  return `CREATE TABLE ${rel(audit)}\nSTORED AS PARQUET\nAS\n${bareStatement(sql)}`;
}

import { describe, expect, it } from 'vitest';

import {
  AdapterConfigError,
  HiveError,
  CancelledError,
  ConnectionLostError,
  HiveStatementError,
  isTransient,
  serverErrorMessage,
} from '../../../src/adapters/hive/errors.js';

const SPARK_NOT_FOUND = [
  'org.apache.hive.service.cli.HiveSQLException: Error running query: [TABLE_OR_VIEW_NOT_FOUND] org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `db`.`nope` cannot be found. Verify the spelling and correctness of the schema and catalog.',
  'If you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.',
  'To tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS.; line 1 pos 14;',
  "'Project [*]",
  '\tat org.apache.spark.sql.hive.thriftserver.HiveThriftServerErrors$.runningQueryError(HiveThriftServerErrors.scala:46)',
  '\tat org.apache.spark.sql.hive.thriftserver.SparkExecuteStatementOperation.execute(SparkExecuteStatementOperation.scala:262)',
].join('\n');

const SPARK_PARSE = [
  'org.apache.hive.service.cli.HiveSQLException: Error running query: [PARSE_SYNTAX_ERROR] org.apache.spark.sql.catalyst.parser.ParseException: ',
  "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)",
  '',
  '== SQL ==',
  'SELEC 1',
  '^^^',
  '',
  '\tat org.apache.spark.sql.hive.thriftserver.HiveThriftServerErrors$.runningQueryError(HiveThriftServerErrors.scala:46)',
].join('\n');

describe('serverErrorMessage', () => {
  it('keeps Hive one-line messages as they are', () => {
    const text =
      "Error while compiling statement: FAILED: SemanticException [Error 10001]: Line 1:14 Table not found 'nope'";
    expect(serverErrorMessage(text)).toBe(text);
  });

  it("drops Spark's exception class wrapping and the stack trace", () => {
    expect(serverErrorMessage(SPARK_NOT_FOUND)).toBe(
      '[TABLE_OR_VIEW_NOT_FOUND] The table or view `db`.`nope` cannot be found. Verify the spelling and correctness of the schema and catalog.',
    );
  });

  it('takes the message from the next line when the first is only exception names', () => {
    expect(serverErrorMessage(SPARK_PARSE)).toBe(
      "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)",
    );
  });

  it('handles a bare Java exception line', () => {
    expect(serverErrorMessage('java.lang.RuntimeException: boom\n\tat a.b.C.d(C.java:1)')).toBe('boom');
  });

  it('HiveStatementError carries the short message and the whole server text', () => {
    const error = new HiveStatementError(SPARK_NOT_FOUND, { sqlState: '42P01' });
    expect(error.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view/);
    expect(error.serverMessage).toBe(SPARK_NOT_FOUND);
    expect(error).toBeInstanceOf(HiveError);
  });
});

describe('isTransient', () => {
  const transient: Array<[string, unknown]> = [
    ['connection lost', new ConnectionLostError('HiveServer2 at h:1: the connection was closed')],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'ECONNREFUSED (server restarting)',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['EPIPE', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ['thrift transport', Object.assign(new Error('frame size'), { name: 'TTransportException' })],
    ['HTTP 503', Object.assign(new Error('HTTP 503'), { name: 'THTTPException', statusCode: 503 })],
    [
      'invalid session (server restarted)',
      new HiveStatementError('Invalid SessionHandle: SessionHandle [1c2d...]'),
    ],
    [
      'invalid operation',
      new HiveStatementError('Invalid OperationHandle: OperationHandle [opType=EXECUTE_STATEMENT]'),
    ],
    [
      'HiveServer2 stopping (seen on a live server stopped mid-build)',
      new HiveStatementError(
        'Unable to run new queries as HiveServer2 is decommissioned or inactive, state: DECOMMISSIONING',
      ),
    ],
    [
      'compile lock timeout (seen across a HiveServer2 restart)',
      new HiveStatementError(
        'Error while compiling statement: [Error 10308]: Attempt to acquire compile lock timed out.',
        { errorCode: 10308 },
      ),
    ],
    ['socket hang up', new Error('socket hang up')],
    [
      'wrapped cause',
      new HiveError('failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    ],
  ];
  const permanent: Array<[string, unknown]> = [
    [
      'Hive semantic error',
      new HiveStatementError(
        "Error while compiling statement: FAILED: SemanticException [Error 10001]: Line 1:14 Table not found 'nope'",
        { sqlState: '42S02', errorCode: 10001 },
      ),
    ],
    [
      'Hive parse error',
      new HiveStatementError(
        "Error while compiling statement: FAILED: ParseException line 1:0 cannot recognize input near 'SELEC'",
        { sqlState: '42000', errorCode: 40000 },
      ),
    ],
    ['Spark analysis error', new HiveStatementError(SPARK_NOT_FOUND, { sqlState: '42P01' })],
    ['Spark parse error', new HiveStatementError(SPARK_PARSE, { sqlState: '42601' })],
    [
      'Tez failure',
      new HiveStatementError(
        'Error while processing statement: FAILED: Execution Error, return code 2 from org.apache.hadoop.hive.ql.exec.tez.TezTask',
        { sqlState: '08S01', errorCode: 2 },
      ),
    ],
    ['cancelled', new CancelledError('Cancelled: SELECT 1')],
    ['kerberos missing', new AdapterConfigError('auth KERBEROS needs the `kerberos` npm package')],
    ['HTTP 401', Object.assign(new Error('HTTP 401'), { name: 'THTTPException', statusCode: 401 })],
    ['plain error', new Error('something else')],
    ['not an error', 'oops'],
  ];
  it.each(transient)('%s is transient', (_, error) => expect(isTransient(error)).toBe(true));
  it.each(permanent)('%s fails at once', (_, error) => expect(isTransient(error)).toBe(false));
});

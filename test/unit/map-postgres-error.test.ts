import { describe, expect, it } from 'vitest';

import { columnsFromDetail } from '../../src/errors/map-postgres-error.js';
import {
  CheckViolationError,
  ConflictError,
  ConnectionError,
  DataLayerError,
  DeadlockError,
  ExclusionViolationError,
  ForeignKeyViolationError,
  isRetryable,
  mapPostgresError,
  NotNullViolationError,
  PoolTimeoutError,
  QueryError,
  SerializationFailureError,
  StatementTimeoutError,
} from '../../src/index.js';

/** The shape of a pg DatabaseError, built by hand: no server needed for the table. */
function pgError(code: string, fields: Record<string, string> = {}, message = 'server message'): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR', ...fields });
}

describe('mapPostgresError', () => {
  it.each([
    ['23505', ConflictError, 'UNIQUE_VIOLATION', 409, false],
    ['23503', ForeignKeyViolationError, 'FOREIGN_KEY_VIOLATION', 409, false],
    ['23502', NotNullViolationError, 'NOT_NULL_VIOLATION', 400, false],
    ['23514', CheckViolationError, 'CHECK_VIOLATION', 400, false],
    ['23P01', ExclusionViolationError, 'EXCLUSION_VIOLATION', 409, false],
    ['40001', SerializationFailureError, 'SERIALIZATION_FAILURE', 409, true],
    ['40P01', DeadlockError, 'DEADLOCK_DETECTED', 409, true],
    ['08006', ConnectionError, 'CONNECTION_FAILED', 503, true],
    ['08001', ConnectionError, 'CONNECTION_FAILED', 503, true],
    ['57P01', ConnectionError, 'CONNECTION_FAILED', 503, true],
    ['57P02', ConnectionError, 'CONNECTION_FAILED', 503, true],
    ['57P03', ConnectionError, 'CONNECTION_FAILED', 503, true],
    ['53300', ConnectionError, 'CONNECTION_FAILED', 503, true],
    ['28P01', ConnectionError, 'CONNECTION_FAILED', 503, false],
    ['08P01', ConnectionError, 'CONNECTION_FAILED', 503, false],
    ['3D000', ConnectionError, 'CONNECTION_FAILED', 503, false],
    ['42P01', QueryError, 'QUERY_FAILED', 500, false],
  ] as const)('maps SQLSTATE %s to %o', (code, type, stableCode, status, retryable) => {
    const mapped = mapPostgresError(pgError(code));
    expect(mapped).toBeInstanceOf(type);
    expect(mapped).toBeInstanceOf(DataLayerError);
    expect(mapped).toMatchObject({ code: stableCode, statusCode: status, retryable });
    expect(isRetryable(mapped)).toBe(retryable);
    expect(isRetryable(pgError(code))).toBe(retryable);
  });

  it('distinguishes statement_timeout from a user cancel (both 57014)', () => {
    expect(mapPostgresError(pgError('57014', {}, 'canceling statement due to statement timeout'))).toBeInstanceOf(
      StatementTimeoutError,
    );
    const cancel = mapPostgresError(pgError('57014', {}, 'canceling statement due to user request'));
    expect(cancel).not.toBeInstanceOf(StatementTimeoutError);
    expect(cancel).toMatchObject({ name: 'QueryError', sqlState: '57014' });
  });

  it('maps socket and pool failures', () => {
    expect(mapPostgresError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeInstanceOf(
      ConnectionError,
    );
    const aggregate = new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'connect failed');
    expect(mapPostgresError(aggregate)).toMatchObject({ name: 'ConnectionError', retryable: true });
    expect(
      mapPostgresError(new Error('timeout exceeded when trying to connect'), { connectionTimeoutMs: 250 }),
    ).toEqual(expect.objectContaining({ name: 'PoolTimeoutError', timeoutMs: 250 }));
    expect(mapPostgresError(new Error('timeout exceeded when trying to connect'))).toBeInstanceOf(PoolTimeoutError);
    expect(mapPostgresError(new Error('Connection terminated unexpectedly'))).toMatchObject({
      name: 'ConnectionError',
      retryable: true,
    });
    expect(mapPostgresError(new Error('Connection terminated due to connection timeout'))).toBeInstanceOf(
      ConnectionError,
    );
  });

  it('returns DataLayerErrors unchanged and wraps anything else as QueryError', () => {
    const existing = new QueryError('x');
    expect(mapPostgresError(existing)).toBe(existing);
    expect(mapPostgresError('a string')).toMatchObject({ name: 'QueryError', message: 'a string' });
    expect(mapPostgresError(undefined)).toBeInstanceOf(QueryError);
  });

  it('keeps the original error as a non-enumerable cause, with its values hidden from serializers', () => {
    const original = pgError('23505', { detail: 'Key (email)=(x@y.z) already exists.' });
    const mapped = mapPostgresError(original);
    expect(mapped.cause).toBe(original);
    expect(Object.keys(mapped)).not.toContain('cause');
    expect(JSON.stringify(mapped)).not.toContain('x@y.z');
    expect(JSON.stringify(original)).not.toContain('x@y.z');
    expect((original as Error & { detail: string }).detail).toContain('x@y.z'); // still readable on purpose

    const dataException = pgError('22P02', {}, 'invalid input syntax for type integer: "secret-input"');
    mapPostgresError(dataException);
    expect(dataException.message).not.toContain('secret-input');
  });

  it('never throws, even for a frozen driver error', () => {
    const frozen = Object.freeze(pgError('22P02', { detail: 'x' }, 'bad "input"'));
    expect(mapPostgresError(frozen)).toMatchObject({ name: 'QueryError', sqlState: '22P02' });
  });

  it('keeps values in the cause when asked to (logParameters: true)', () => {
    const original = pgError('22P02', { detail: 'Key (a)=(1)' }, 'invalid input syntax for type integer: "visible"');
    mapPostgresError(original, { keepValues: true });
    expect(original.message).toContain('visible');
    expect(JSON.stringify(original)).toContain('Key (a)=(1)');
  });

  it('reads constraint fields from the server error', () => {
    const mapped = mapPostgresError(
      pgError('23505', {
        constraint: 'users_email_key',
        table: 'users',
        schema: 'app',
        detail: 'Key (lower(email))=(a@b.c) already exists.',
      }),
    );
    expect(mapped).toMatchObject({
      constraint: 'users_email_key',
      table: 'users',
      schema: 'app',
      columns: ['lower(email)'],
    });
    expect(mapped.toJSON()).toEqual({
      name: 'ConflictError',
      code: 'UNIQUE_VIOLATION',
      message: 'Unique constraint "users_email_key" on "users" (lower(email)) violated',
      statusCode: 409,
      retryable: false,
      sqlState: '23505',
      constraint: 'users_email_key',
      schema: 'app',
      table: 'users',
      columns: ['lower(email)'],
    });
  });
});

describe('columnsFromDetail', () => {
  it.each([
    ['Key (email)=(a@b.c) already exists.', ['email']],
    ['Key (org_id, email)=(1, a@b.c) already exists.', ['org_id', 'email']],
    ['Key ("Mixed Case", "a""b")=(1, 2) already exists.', ['Mixed Case', 'a"b']],
    ['Key (coalesce(a, b), c)=(1, 2) already exists.', ['coalesce(a, b)', 'c']],
    ['Key (user_id)=(42) is not present in table "users".', ['user_id']],
    ['Failing row contains (1, -5).', []],
    [undefined, []],
  ])('parses %j', (detail, columns) => {
    expect(columnsFromDetail(detail)).toEqual(columns);
  });
});

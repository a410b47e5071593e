import { DataLayerError } from './data-layer-error.js';
import { QueryError } from './query-errors.js';
import { PREPARED_STATEMENT_STATES } from './sqlstate.js';

/**
 * Why a named prepared statement failed, when the name (not the statement) is to blame:
 * - `unsupported`: the server lost or shares the session's statements (a transaction-mode
 *   pooler); the statement did not execute (it failed at Parse or Bind).
 * - `plan-changed`: the table changed shape after the statement was prepared (a migration);
 *   PostgreSQL refuses to run the cached plan.
 * - `unanswered`: no SQLSTATE, pg failed before the server answered (a value it cannot
 *   serialize, a lost connection); pg may have closed the statement behind its own record.
 * Undefined for every other failure (a server error about the statement's values or effect).
 * Reads the raw pg error or the `QueryError` mapped from it.
 */
export type PreparedStatementFailure = 'unsupported' | 'plan-changed' | 'unanswered';

export function preparedStatementFailure(error: unknown): PreparedStatementFailure | undefined {
  const raw = error instanceof DataLayerError ? error.cause : error;
  if (typeof raw !== 'object' || raw === null) return 'unanswered';
  const { code, message } = raw as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return 'unanswered';
  if (typeof message !== 'string') return undefined;
  switch (code) {
    case PREPARED_STATEMENT_STATES.invalidSqlStatementName:
    case PREPARED_STATEMENT_STATES.duplicatePreparedStatement:
      return message.startsWith('prepared statement') ? 'unsupported' : undefined;
    case PREPARED_STATEMENT_STATES.featureNotSupported:
      return message.includes('cached plan must not change result type') ? 'plan-changed' : undefined;
    default:
      return undefined;
  }
}

/** The typed error for an `unsupported` failure inside a transaction: says what happened and what to set. */
export function preparedStatementsUnsupportedError(error: QueryError): QueryError {
  return new QueryError(
    `The server does not keep named prepared statements (PgBouncer before 1.21 in transaction mode?): ${error.message}. ` +
      'This pool now sends unnamed statements; set createDatabase({ preparedStatements: false }) to avoid this error.',
    { sqlState: error.sqlState, cause: error.cause },
  );
}

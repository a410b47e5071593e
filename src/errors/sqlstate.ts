/**
 * The SQLSTATE codes this library gives meaning to. Only `mapPostgresError` reads
 * SQLSTATE codes; everything else works with the typed errors it produces.
 * Names follow PostgreSQL's errcodes appendix.
 *
 * @example
 * ```ts
 * const code: string = SqlState.uniqueViolation // '23505'
 * ```
 */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  notNullViolation: '23502',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  protocolViolation: '08P01',
} as const;

/** Connection-level failures that may heal if the operation is tried again. */
export const HEALABLE_CONNECTION_STATES: ReadonlySet<string> = new Set([
  SqlState.adminShutdown,
  SqlState.crashShutdown,
  SqlState.cannotConnectNow,
  SqlState.tooManyConnections,
]);

/** Connection-level failures that will not heal by retrying (fail fast). */
export const PERMANENT_CONNECTION_STATES: ReadonlySet<string> = new Set([
  SqlState.invalidAuthorizationSpecification,
  SqlState.invalidPassword,
  SqlState.invalidCatalogName,
  // PgBouncer answers "unsupported startup parameter" with it: a configuration mistake.
  SqlState.protocolViolation,
]);

/** Node.js socket error codes that mean "the server is not reachable right now". */
export const HEALABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Data exceptions caused by a value that does not fit its column: inside a repository
 * operation they are the caller's input errors (400), named here without the value.
 */
export const INPUT_DATA_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['22P02', 'invalid text representation'],
  ['22003', 'numeric value out of range'],
  ['22007', 'invalid datetime format'],
  ['22008', 'datetime field overflow'],
  ['22021', 'character not in repertoire'],
  ['22001', 'string data right truncation'],
  ['22P03', 'invalid binary representation'],
  ['22P05', 'untranslatable character'],
  ['22025', 'invalid escape sequence'],
]);

/** Class 22 (data exception) messages echo input values, so they are replaced by these names. */
export function sqlStateClassName(sqlState: string): string {
  return sqlState.startsWith('22') ? 'data exception' : 'query failed';
}

/**
 * What the server answers when named prepared statements cannot be used: PgBouncer
 * before 1.21 in transaction mode hands the session's statements to other clients
 * (`prepared statement "..." does not exist` / `... already exists`).
 */
export const PREPARED_STATEMENT_STATES = {
  invalidSqlStatementName: '26000',
  duplicatePreparedStatement: '42P05',
  featureNotSupported: '0A000',
} as const;

import { ConfigError, ValidationError } from './application-errors.js';
import { ConnectionError, PoolTimeoutError } from './connection-errors.js';
import {
  CheckViolationError,
  ConflictError,
  type ConstraintDetails,
  ExclusionViolationError,
  ForeignKeyViolationError,
  NotNullViolationError,
} from './constraint-errors.js';
import { DataLayerError } from './data-layer-error.js';
import { DeadlockError, QueryError, SerializationFailureError, StatementTimeoutError } from './query-errors.js';
import {
  HEALABLE_CONNECTION_STATES,
  HEALABLE_SOCKET_CODES,
  INPUT_DATA_EXCEPTIONS,
  PERMANENT_CONNECTION_STATES,
  SqlState,
  sqlStateClassName,
} from './sqlstate.js';

/** The fields of a `pg` DatabaseError (or any error) that the mapper reads. */
interface DriverErrorFields {
  message?: unknown;
  code?: unknown;
  detail?: unknown;
  table?: unknown;
  column?: unknown;
  constraint?: unknown;
  schema?: unknown;
  errors?: unknown;
}

/**
 * What `mapPostgresError` may be told beyond the error: the acquire timeout to quote, and
 * whether values may stay in the cause.
 *
 * @example
 * ```ts
 * const context: MapErrorContext = { connectionTimeoutMs: 2_000 }
 * const error = mapPostgresError(new Error('timeout exceeded when trying to connect'), context)
 * ```
 */
export interface MapErrorContext {
  /** The pool's acquire timeout, quoted in `PoolTimeoutError`. */
  connectionTimeoutMs?: number;
  /**
   * Keep row values in the original error (`cause`): its `detail` stays enumerable and
   * data-exception messages keep the echoed input. Set from `logParameters`. @default false
   */
  keepValues?: boolean;
  /**
   * Set by repositories around their own statements: a data exception there (invalid
   * text representation, out of range, bad datetime, NUL character, value too long) comes
   * from the caller's values, so it becomes a `ValidationError` (400) naming `columns`
   * (the columns whose values only the server could check) instead of a `QueryError` (500).
   */
  repositoryInput?: { readonly table: string; readonly columns: readonly string[] };
}

/**
 * Turns any error from `pg`, `pg-pool` or the network into a typed `DataLayerError`.
 * This is the only function that reads SQLSTATE codes. Errors that already are
 * `DataLayerError`s are returned unchanged.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * try { await pool.query('insert into users (email) values ($1)', [email]) } catch (err) {
 *   throw mapPostgresError(err) // a ConflictError for a duplicate email
 * }
 * ```
 */
export function mapPostgresError(error: unknown, context: MapErrorContext = {}): DataLayerError {
  if (context.repositoryInput !== undefined) {
    const invalid = invalidInput(error, context.repositoryInput);
    if (invalid !== undefined) return invalid;
  }
  if (error instanceof DataLayerError) return error;
  const fields: DriverErrorFields = typeof error === 'object' && error !== null ? error : {};
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const code = typeof fields.code === 'string' ? fields.code : socketCodeOf(fields);

  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (!context.keepValues) hideValues(error, code);
    return fromSqlState(code, message, fields, error);
  }
  if (code !== undefined && HEALABLE_SOCKET_CODES.has(code)) {
    return new ConnectionError(`Cannot reach the database server (${code})`, { cause: error });
  }
  if (message === 'timeout exceeded when trying to connect') {
    return new PoolTimeoutError(context.connectionTimeoutMs ?? 0, { cause: error });
  }
  if (/connection (terminated|timeout)|not queryable|Connection terminated/i.test(message)) {
    return new ConnectionError(`Database connection lost: ${message}`, { cause: error });
  }
  return new QueryError(message, { cause: error });
}

/** Which option sends each startup parameter PgBouncer may refuse. */
const STARTUP_PARAMETER_OPTIONS: Readonly<Record<string, string>> = {
  statement_timeout: 'statementTimeoutMs',
  options: 'searchPath',
};

/**
 * PgBouncer's `unsupported startup parameter: statement_timeout` (08P01): a deployment
 * mistake with a known fix, so a `ConfigError` that names the parameter and the option.
 */
function refusedStartupParameter(message: string, cause: unknown): ConfigError | undefined {
  const parameter = /unsupported startup parameter:?\s*"?([\w.-]+)/i.exec(message)?.[1];
  if (parameter === undefined) return undefined;
  const option = STARTUP_PARAMETER_OPTIONS[parameter];
  return new ConfigError(
    `PgBouncer refused the startup parameter "${parameter}"${option ? ` (sent for ${option})` : ''}: ` +
      "set pooler: 'pgbouncer-transaction' to send the settings inside each transaction instead " +
      "(or list the parameter in PgBouncer's ignore_startup_parameters, which drops it)",
    { option: 'pooler', cause },
  );
}

/** A data exception from a repository statement, as the caller's `ValidationError`; undefined for anything else. */
function invalidInput(
  error: unknown,
  input: NonNullable<MapErrorContext['repositoryInput']>,
): ValidationError | undefined {
  const sqlState =
    error instanceof QueryError
      ? error.sqlState
      : error instanceof DataLayerError
        ? undefined
        : (error as DriverErrorFields | null)?.code;
  const reason = typeof sqlState === 'string' ? INPUT_DATA_EXCEPTIONS.get(sqlState) : undefined;
  if (reason === undefined) return undefined;
  const { table, columns } = input;
  const subject =
    columns.length === 1
      ? `"${table}.${columns[0] as string}"`
      : columns.length > 1
        ? `one of "${table}".${columns.join(', ')}`
        : `a column of "${table}"`;
  const message = `Invalid value for ${subject}: PostgreSQL refused it (${reason}, SQLSTATE ${sqlState as string})`;
  const issues =
    columns.length === 0
      ? [{ path: [], message: `refused by PostgreSQL: ${reason}`, code: 'invalid_value' }]
      : columns.map((column) => ({
          path: [column],
          message: `refused by PostgreSQL: ${reason}`,
          code: 'invalid_value',
          column,
        }));
  return new ValidationError(message, issues, { cause: error });
}

function fromSqlState(sqlState: string, message: string, fields: DriverErrorFields, cause: unknown): DataLayerError {
  switch (sqlState) {
    case SqlState.uniqueViolation: {
      const details = constraintDetails(sqlState, fields);
      return new ConflictError(`Unique constraint ${describe(details)} violated`, details, { cause });
    }
    case SqlState.foreignKeyViolation: {
      const details = constraintDetails(sqlState, fields);
      return new ForeignKeyViolationError(`Foreign key constraint ${describe(details)} violated`, details, { cause });
    }
    case SqlState.notNullViolation: {
      const details = constraintDetails(sqlState, fields);
      return new NotNullViolationError(
        `Column ${details.columns.join(', ') || '(unknown)'} of ${details.table ?? 'the table'} must not be null`,
        details,
        { cause },
      );
    }
    case SqlState.checkViolation: {
      const details = constraintDetails(sqlState, fields);
      return new CheckViolationError(`Check constraint ${describe(details)} violated`, details, { cause });
    }
    case SqlState.exclusionViolation: {
      const details = constraintDetails(sqlState, fields);
      return new ExclusionViolationError(`Exclusion constraint ${describe(details)} violated`, details, { cause });
    }
    case SqlState.serializationFailure:
      return new SerializationFailureError(message, { sqlState, cause });
    case SqlState.deadlockDetected:
      return new DeadlockError(message, { sqlState, cause });
    case SqlState.queryCanceled:
      return message.includes('statement timeout')
        ? new StatementTimeoutError(message, { sqlState, cause })
        : new QueryError(message, { sqlState, cause });
  }
  if (sqlState === SqlState.protocolViolation) {
    const refused = refusedStartupParameter(message, cause);
    if (refused) return refused;
  }
  if (PERMANENT_CONNECTION_STATES.has(sqlState)) {
    return new ConnectionError(`Database connection refused: ${message}`, { sqlState, cause, retryable: false });
  }
  if (sqlState.startsWith('08') || HEALABLE_CONNECTION_STATES.has(sqlState)) {
    return new ConnectionError(`Database connection failed: ${message}`, { sqlState, cause });
  }
  // Data exceptions quote the offending input; keep values out of messages and logs.
  const safeMessage = sqlState.startsWith('22') ? `${sqlStateClassName(sqlState)} (SQLSTATE ${sqlState})` : message;
  return new QueryError(safeMessage, { sqlState, cause });
}

/**
 * The server's `detail` ("Key (email)=(ada@example.com) already exists") and data-exception
 * messages quote row values. Logging the error (pino's err serializer walks `cause`) must
 * not print them, so they are made non-enumerable or replaced; `err.cause.detail` still works.
 */
function hideValues(error: unknown, sqlState: string): void {
  // A frozen or sealed error cannot be changed; mapping must still never throw.
  if (typeof error !== 'object' || error === null || !Object.isExtensible(error) || Object.isFrozen(error)) return;
  for (const key of ['detail', 'where'] as const) {
    if (Object.prototype.propertyIsEnumerable.call(error, key)) {
      Object.defineProperty(error, key, { enumerable: false, value: (error as Record<string, unknown>)[key] });
    }
  }
  if (sqlState.startsWith('22') && error instanceof Error) {
    error.message = `${sqlStateClassName(sqlState)} (SQLSTATE ${sqlState}); set logParameters: true to keep the server's message`;
  }
}

function constraintDetails(sqlState: string, fields: DriverErrorFields): ConstraintDetails {
  const column = typeof fields.column === 'string' ? [fields.column] : [];
  return {
    sqlState,
    constraint: optionalString(fields.constraint),
    table: optionalString(fields.table),
    schema: optionalString(fields.schema),
    columns: column.length > 0 ? column : columnsFromDetail(fields.detail),
  };
}

/**
 * Reads the column list out of a detail such as `Key (org_id, "Email")=(1, a@b) already exists.`
 * Only the part before `)=(` is parsed, so values never leave this function.
 */
export function columnsFromDetail(detail: unknown): string[] {
  if (typeof detail !== 'string' || !detail.startsWith('Key (')) return [];
  const end = detail.indexOf(')=(');
  if (end === -1) return [];
  return splitTopLevel(detail.slice('Key ('.length, end)).map(unquoteIdentifier);
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of list) {
    if (char === '"') quoted = !quoted;
    if (!quoted && char === '(') depth++;
    if (!quoted && char === ')') depth--;
    if (!quoted && depth === 0 && char === ',') {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

function unquoteIdentifier(identifier: string): string {
  return /^".*"$/.test(identifier) ? identifier.slice(1, -1).replaceAll('""', '"') : identifier;
}

function describe(details: ConstraintDetails): string {
  const name = details.constraint ? `"${details.constraint}"` : '(unnamed)';
  const table = details.table ? ` on "${details.table}"` : '';
  const columns = details.columns.length > 0 ? ` (${details.columns.join(', ')})` : '';
  return `${name}${table}${columns}`;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Node 20 reports dual-stack connect failures as an AggregateError whose parts carry the code. */
function socketCodeOf(fields: DriverErrorFields): string | undefined {
  if (!Array.isArray(fields.errors)) return undefined;
  for (const inner of fields.errors as unknown[]) {
    const code = (inner as { code?: unknown } | null)?.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

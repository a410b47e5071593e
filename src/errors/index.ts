export { DataLayerError } from './data-layer-error.js';
export { ConnectionError, PoolTimeoutError, DatabaseClosedError } from './connection-errors.js';
export { QueryError, SerializationFailureError, DeadlockError, StatementTimeoutError } from './query-errors.js';
export {
  ConstraintViolationError,
  ConflictError,
  ForeignKeyViolationError,
  NotNullViolationError,
  CheckViolationError,
  ExclusionViolationError,
} from './constraint-errors.js';
export type { ConstraintDetails } from './constraint-errors.js';
export { ConfigError, NotFoundError, ValidationError, TenantRequiredError, TransactionError } from './application-errors.js';
export type { ValidationIssue } from './application-errors.js';
export { MigrationError } from './migration-errors.js';
export type { MigrationFailure } from './migration-errors.js';
export { mapPostgresError } from './map-postgres-error.js';
export type { MapErrorContext } from './map-postgres-error.js';
export { isRetryable } from './is-retryable.js';
export { SqlState } from './sqlstate.js';

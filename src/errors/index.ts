export type { ValidationIssue } from './application-errors.js';
export {
  ConfigError,
  NotFoundError,
  TenantRequiredError,
  TransactionError,
  ValidationError,
} from './application-errors.js';
export { ConnectionError, DatabaseClosedError, PoolTimeoutError } from './connection-errors.js';
export type { ConstraintDetails } from './constraint-errors.js';
export {
  CheckViolationError,
  ConflictError,
  ConstraintViolationError,
  ExclusionViolationError,
  ForeignKeyViolationError,
  NotNullViolationError,
} from './constraint-errors.js';
export { DataLayerError } from './data-layer-error.js';
export { isRetryable } from './is-retryable.js';
export type { MapErrorContext } from './map-postgres-error.js';
export { mapPostgresError } from './map-postgres-error.js';
export { MiddlewareError } from './middleware-error.js';
export type { MigrationFailure } from './migration-errors.js';
export { MigrationError } from './migration-errors.js';
export { DeadlockError, QueryError, SerializationFailureError, StatementTimeoutError } from './query-errors.js';
export { SqlState } from './sqlstate.js';
export { StaleRowError } from './stale-row-error.js';

export { createDatabase } from './database.js';
export type { Database, DatabaseMetrics } from './database.js';
export { loadEnvOptions } from './config/load-env-options.js';
export type { DatabaseOptions, MigrationsOption, PoolOptions, RetryOptions, TlsOptions } from './config/options-schema.js';
export type { SlowQueryEvent, SlowQueryHook } from './driver/slow-query-event.js';
export type { ConnectOptions } from './connection/connect-with-retry.js';
export type { HealthOptions, HealthReport, MigrationHealth } from './connection/health.js';
export type { PoolSnapshot } from './connection/create-pool.js';
export type { QueryMetrics, AcquireMetrics, QueryLogEntry } from './driver/query-instrumentation.js';
export type { EmbeddedOptions } from './embedded/embedded-options.js';
export type { Logger, LogLevel } from './logging/logger.js';
export { DatabaseTransaction } from './transaction/database-transaction.js';
export { BaseRepository } from './repository/base-repository.js';
export type { IdOf } from './repository/base-repository.js';
export type { RepositoryOptions, TableName, ColumnName } from './repository/repository-options.js';
export type {
  Repository,
  ReadOptions,
  FindManyOptions,
  PaginateOptions,
  Page,
  CursorPaginateOptions,
  CursorPage,
  StreamOptions,
  UpsertOptions,
} from './repository/repository-contract.js';
export type { Where } from './repository/where-filter.js';
export type { ManyRowsOptions } from './repository/input-rules.js';
export type { OrderBy, SortDirection } from './repository/order-by.js';
export type { InputSchemas } from './repository/validate-input.js';
export type {
  RepositoryMiddleware,
  RepositoryOperation,
  RepositoryDescriptor,
  OperationKind,
  TransactionHooks,
  SessionControl,
  LocalSetting,
  ScopeContext,
} from './middleware/repository-middleware.js';
export { withTenant, currentTenant, tenantFilter, tenantPolicySql, tenantTransaction } from './middleware/tenant/index.js';
export { cache, memoryCacheStore, redisCacheStore, cloneCacheValue, encodeCacheValue, decodeCacheValue, jsonCacheCodec } from './middleware/cache/index.js';
export type {
  CacheOptions,
  CacheMiddleware,
  CacheMetrics,
  CacheLogger,
  CacheStore,
  CacheHit,
  MaybePromise,
  MemoryCacheStore,
  MemoryCacheStoreOptions,
  RedisCacheClient,
  RedisCacheStoreOptions,
  CacheValueCodec,
} from './middleware/cache/index.js';
export type { TenantId, TenantFilterOptions, TenantPolicyOptions } from './middleware/tenant/index.js';
export type { TransactionOptions, IsolationLevel, AccessMode } from './transaction/transaction-options.js';
export type { TransactionMetrics } from './transaction/transaction-runner.js';
export type { TransactionMark } from './transaction/transaction-storage.js';
export type { AfterCommitHook, AfterRollbackHook } from './transaction/transaction-scope.js';
export {
  DataLayerError,
  ConnectionError,
  PoolTimeoutError,
  DatabaseClosedError,
  QueryError,
  SerializationFailureError,
  DeadlockError,
  StatementTimeoutError,
  ConstraintViolationError,
  ConflictError,
  ForeignKeyViolationError,
  NotNullViolationError,
  CheckViolationError,
  ExclusionViolationError,
  ConfigError,
  NotFoundError,
  ValidationError,
  TenantRequiredError,
  TransactionError,
  MiddlewareError,
  MigrationError,
  mapPostgresError,
  isRetryable,
  SqlState,
} from './errors/index.js';
export type { ConstraintDetails, ValidationIssue, MapErrorContext, MigrationFailure } from './errors/index.js';
export { createMigrator, migrationChecksum, migrateTenants } from './migration/index.js';
export type {
  Migrator,
  MigratorOptions,
  RunOptions,
  RepairOptions,
  MigrationSummary,
  MigrationProgress,
  MigrationModule,
  MigrationConfig,
  MigrationDb,
  MigrationStatus,
  MigrationState,
  MigrationStep,
  MigrationRunResult,
  LoadedMigration,
  VerifyReport,
  MigrateTenantsOptions,
  TenantProgress,
  TenantResult,
  TenantMigrationReport,
} from './migration/index.js';
export { defineSeeder, runSeeders } from './seeding/index.js';
export type { Seeder, SeederDefinition, SeedContext, RunSeedersOptions, SeedReport, SeedRun } from './seeding/index.js';

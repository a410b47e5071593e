export { loadEnvOptions } from './config/load-env-options.js';
export type {
  DatabaseOptions,
  MigrationsOption,
  PoolerOption,
  PoolOptions,
  PreparedStatementOptions,
  RetryOptions,
  TlsOptions,
} from './config/options-schema.js';
export type { ConnectOptions } from './connection/connect-with-retry.js';
export type { PoolSnapshot } from './connection/create-pool.js';
export type { PoolerReport } from './connection/detect-pooler.js';
export type { HealthOptions, HealthReport, MigrationHealth } from './connection/health.js';
export type { Database, DatabaseHealthReport, DatabaseMetrics } from './database.js';
export { createDatabase } from './database.js';
export type { AcquireMetrics, QueryLogEntry, QueryMetrics } from './driver/query-instrumentation.js';
export type { SlowQueryEvent, SlowQueryHook } from './driver/slow-query-event.js';
export type { EmbeddedOptions } from './embedded/embedded-options.js';
export type { ConstraintDetails, MapErrorContext, MigrationFailure, ValidationIssue } from './errors/index.js';
export {
  CheckViolationError,
  ConfigError,
  ConflictError,
  ConnectionError,
  ConstraintViolationError,
  DatabaseClosedError,
  DataLayerError,
  DeadlockError,
  ExclusionViolationError,
  ForeignKeyViolationError,
  isRetryable,
  mapPostgresError,
  MiddlewareError,
  MigrationError,
  NotFoundError,
  NotNullViolationError,
  PoolTimeoutError,
  QueryError,
  SerializationFailureError,
  SqlState,
  StaleRowError,
  StatementTimeoutError,
  TenantRequiredError,
  TransactionError,
  ValidationError,
} from './errors/index.js';
export type { Logger, LogLevel } from './logging/logger.js';
export type {
  AuditActor,
  AuditChange,
  AuditChanges,
  AuditLogOptions,
  AuditRedaction,
  AuditRow,
  AuditTableOptions,
} from './middleware/audit/index.js';
export { auditLog, auditTableSql } from './middleware/audit/index.js';
export type {
  CacheHit,
  CacheLogger,
  CacheMetrics,
  CacheMiddleware,
  CacheOptions,
  CacheStore,
  CacheValueCodec,
  MaybePromise,
  MemoryCacheStore,
  MemoryCacheStoreOptions,
  RedisCacheClient,
  RedisCacheStoreOptions,
} from './middleware/cache/index.js';
export {
  cache,
  cloneCacheValue,
  decodeCacheValue,
  encodeCacheValue,
  jsonCacheCodec,
  memoryCacheStore,
  redisCacheStore,
} from './middleware/cache/index.js';
export type { OperationArgument, OperationDefinition } from './middleware/operations.js';
export { argumentOf, OPERATIONS } from './middleware/operations.js';
export type {
  LocalSetting,
  OperationKind,
  OperationRows,
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
  ScopeContext,
  SessionControl,
  TransactionHooks,
} from './middleware/repository-middleware.js';
export type { TenantFilterOptions, TenantId, TenantPolicyOptions } from './middleware/tenant/index.js';
export {
  currentTenant,
  tenantFilter,
  tenantPolicySql,
  tenantTransaction,
  withTenant,
} from './middleware/tenant/index.js';
export type {
  LoadedMigration,
  MigrateTenantsOptions,
  MigrationConfig,
  MigrationDb,
  MigrationModule,
  MigrationProgress,
  MigrationRunResult,
  MigrationState,
  MigrationStatus,
  MigrationStep,
  MigrationSummary,
  Migrator,
  MigratorOptions,
  RepairOptions,
  RunOptions,
  TenantMigrationReport,
  TenantProgress,
  TenantResult,
  VerifyReport,
} from './migration/index.js';
export { createMigrator, migrateTenants, migrationChecksum } from './migration/index.js';
export type { ReplicaReport, ReplicaState } from './replicas/replica-node.js';
export type {
  PickReplica,
  ReplicaCandidate,
  ReplicaConnectionOptions,
  ReplicaOption,
  ReplicaRoutingOptions,
} from './replicas/replica-options.js';
export type { IdOf } from './repository/base-repository.js';
export { BaseRepository } from './repository/base-repository.js';
export type { ManyRowsOptions } from './repository/input-rules.js';
export type { OrderBy, SortDirection } from './repository/order-by.js';
export { belongsTo, hasMany, manyToMany } from './repository/relations/define-relation.js';
export type {
  BelongsTo,
  CountableOf,
  Explained,
  HasMany,
  IncludeOf,
  IncludeOptions,
  ManyToMany,
  NoRelations,
  RelatableRepository,
  Relation,
  RelationKind,
  RelationPlan,
  RelationReadOptions,
  WithRelations,
} from './repository/relations/relation-types.js';
export type {
  CursorPage,
  CursorPaginateOptions,
  FindManyOptions,
  Page,
  PaginateOptions,
  ReadOptions,
  Repository,
  StreamOptions,
  UpsertOptions,
} from './repository/repository-contract.js';
export type { ColumnName, RepositoryOptions, TableName } from './repository/repository-options.js';
export type { InsertOf, RowOf, UpdateOf } from './repository/row-types.js';
export type { InputSchemas } from './repository/validate-input.js';
export type { ColumnFilter, FilterOperators, Where } from './repository/where-filter.js';
export type { RunSeedersOptions, SeedContext, Seeder, SeederDefinition, SeedReport, SeedRun } from './seeding/index.js';
export { defineSeeder, runSeeders } from './seeding/index.js';
export { DatabaseTransaction } from './transaction/database-transaction.js';
export type { AccessMode, IsolationLevel, TransactionOptions } from './transaction/transaction-options.js';
export type { TransactionMetrics } from './transaction/transaction-runner.js';
export type { AfterCommitHook, AfterRollbackHook } from './transaction/transaction-scope.js';
export type { TransactionMark } from './transaction/transaction-storage.js';

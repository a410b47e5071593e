export { migrationChecksum } from './checksum.js';
export { makeMigration } from './make-migration.js';
export type { MigrateTenantsOptions, TenantMigrationReport, TenantProgress, TenantResult } from './migrate-tenants.js';
export { migrateTenants } from './migrate-tenants.js';
export type {
  LoadedMigration,
  MigrationConfig,
  MigrationDb,
  MigrationModule,
  MigrationRunResult,
  MigrationState,
  MigrationStatus,
  MigrationStep,
} from './migration-types.js';
export type { MigrationSummary, Migrator, MigratorOptions, RepairOptions, RunOptions } from './migrator.js';
export { createMigrator } from './migrator.js';
export type { MigrationProgress } from './run-steps.js';
export type { VerifyReport } from './verify-migrations.js';

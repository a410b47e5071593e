export { createMigrator } from './migrator.js';
export type { Migrator, MigratorOptions, RunOptions, RepairOptions, MigrationSummary } from './migrator.js';
export type { MigrationProgress } from './run-steps.js';
export type { MigrationModule, MigrationConfig, MigrationDb, MigrationStatus, MigrationState, MigrationStep, MigrationRunResult, LoadedMigration } from './migration-types.js';
export { migrationChecksum } from './checksum.js';
export type { VerifyReport } from './verify-migrations.js';
export { migrateTenants } from './migrate-tenants.js';
export type { MigrateTenantsOptions, TenantProgress, TenantResult, TenantMigrationReport } from './migrate-tenants.js';
export { makeMigration } from './make-migration.js';

export type { SeedContext, Seeder, SeederDefinition } from './define-seeder.js';
export { defineSeeder } from './define-seeder.js';
export type { RunSeedersOptions, SeedReport, SeedRun } from './run-seeders.js';
export { runSeeders } from './run-seeders.js';

export { defineSeeder } from './define-seeder.js';
export type { Seeder, SeederDefinition, SeedContext } from './define-seeder.js';
export { runSeeders } from './run-seeders.js';
export type { RunSeedersOptions, SeedReport, SeedRun } from './run-seeders.js';

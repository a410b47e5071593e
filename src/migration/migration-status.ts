import { MigrationError } from '../errors/migration-errors.js';
import type { LedgerRow } from './ledger.js';
import type { LoadedMigration, MigrationStatus } from './migration-types.js';

/** Every migration on disk and in the ledger, in name order, with its state. */
export function migrationStatuses(
  migrations: readonly LoadedMigration[],
  ledger: readonly LedgerRow[],
): MigrationStatus[] {
  const applied = new Map(ledger.map((row) => [row.name, row]));
  const statuses: MigrationStatus[] = migrations.map((migration) => {
    const row = applied.get(migration.name);
    if (row === undefined)
      return {
        name: migration.name,
        state: 'pending',
        appliedAt: undefined,
        durationMs: undefined,
        checksum: migration.checksum,
        appliedChecksum: undefined,
      };
    // A row without a checksum was applied by plain Kysely: adopted as it is.
    const state = row.checksum === undefined || row.checksum === migration.checksum ? 'applied' : 'changed';
    return {
      name: migration.name,
      state,
      appliedAt: row.appliedAt,
      durationMs: row.durationMs,
      checksum: migration.checksum,
      appliedChecksum: row.checksum,
    };
  });
  const known = new Set(migrations.map((migration) => migration.name));
  for (const row of ledger) {
    if (!known.has(row.name)) {
      statuses.push({
        name: row.name,
        state: 'missing',
        appliedAt: row.appliedAt,
        durationMs: row.durationMs,
        checksum: row.checksum,
        appliedChecksum: row.checksum,
      });
    }
  }
  return statuses.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Refuses to go on while an applied migration was edited or deleted, naming the first. */
export function assertIntact(statuses: readonly MigrationStatus[]): void {
  const broken = statuses.find((status) => status.state === 'changed' || status.state === 'missing');
  if (broken === undefined) return;
  if (broken.state === 'changed') {
    throw new MigrationError(
      `Migration ${broken.name} was changed after it was applied (checksum ${short(broken.appliedChecksum)} in the ledger, ${short(broken.checksum)} on disk): restore it, or accept the edit with repair({ accept: '${broken.name}', reason })`,
      { reason: 'changed', migration: broken.name },
    );
  }
  throw new MigrationError(
    `Migration ${broken.name} was applied but its file is missing: restore it, or remove its ledger row deliberately`,
    {
      reason: 'missing',
      migration: broken.name,
    },
  );
}

function short(checksum: string | undefined): string {
  return checksum === undefined ? 'none' : checksum.slice(0, 12);
}

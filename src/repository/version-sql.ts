import { type RawBuilder, sql } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import type { RepositoryDescriptor } from '../middleware/repository-middleware.js';
import { typesOf } from './column-types.js';
import type { Condition } from './where-filter.js';

/** Integer types a version column may have. */
const INTEGER_TYPES = new Set(['int2', 'int4', 'int8', 'numeric']);

/** `{ version: version + 1 }` for a `set`, or nothing when the repository keeps no version. */
export function versionIncrement(descriptor: RepositoryDescriptor): Record<string, RawBuilder<unknown>> {
  const column = descriptor.version;
  return column === undefined ? {} : { [column]: sql`${sql.ref(column)} + 1` };
}

/** The columns a write increments: the version column, if any. */
export function versionColumns(descriptor: RepositoryDescriptor): string[] {
  return descriptor.version === undefined ? [] : [descriptor.version];
}

/** `version = $expected` when an expected version was asked for. */
export function versionConditions(descriptor: RepositoryDescriptor, expected: unknown): Condition[] {
  const column = descriptor.version;
  return column === undefined || expected === undefined ? [] : [{ column, op: 'eq', value: expected }];
}

/** The version column must hold integers: `version + 1` on anything else is a bug at start-up, not a 500 later. */
export function assertVersionColumn(table: string, columns: ReadonlySet<string>, version: string | undefined): void {
  if (version === undefined || !columns.has(version)) return; // a missing column is reported with the others
  const type = typesOf(columns)?.get(version)?.name;
  if (type !== undefined && !INTEGER_TYPES.has(type)) {
    throw new ConfigError(
      `Repository option "version" names column "${table}.${version}" of type ${type}: a version column must be an integer`,
      { option: 'version' },
    );
  }
}

import { NotNullViolationError } from '../errors/constraint-errors.js';

/** An options argument as a record; anything that is not an object reads as `{}`. */
export function optionsOf(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The entries of `record` whose value is not `undefined` (SQL builders drop those too). */
export function definedEntries(record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** The one NOT NULL the fake enforces: a primary key cannot be null. */
export function assertKeyNotNull(values: Readonly<Record<string, unknown>>, primaryKey: string, table: string): void {
  if (values[primaryKey] !== null) return;
  throw new NotNullViolationError(`Column ${primaryKey} of ${table} must not be null`, {
    sqlState: '23502',
    constraint: undefined,
    table,
    schema: undefined,
    columns: [primaryKey],
  });
}
